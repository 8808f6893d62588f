/**
 * The fast reader of lockfile YAML (src/io/yaml-lock.ts, issue 17) against the full one: on every
 * pnpm-lock.yaml and yarn berry yarn.lock in ../shared (real projects and the conformance vectors)
 * and in the repository's fixtures, the two give equal structures (the fast one must read every
 * real lockfile, or it is no faster); on what is outside its subset it gives up, so the full
 * reader's answer — value or one-line error — is the one a user gets.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { fastLockYaml, fullLockYaml, readLockYaml, type LockYaml, type LockYamlOptions } from '../../src/io/yaml-lock.js';
import { HAS_SHARED, REPO_ROOT, shared } from '../../src/testing/shared.js';

const PNPM: LockYamlOptions = { duplicateKeys: 'error', childrenOf: new Set(['packages', 'snapshots', 'importers']) };
const BERRY: LockYamlOptions = { duplicateKeys: 'report' };

const strip = (y: LockYaml | undefined): unknown => (y ? { ...y, via: undefined } : y);

/** The full reader's result, or its error message. */
function full(text: string, opts: LockYamlOptions): unknown {
  try {
    return strip(fullLockYaml(text, 'f.yaml', opts));
  } catch (e) {
    return `error: ${(e as Error).message}`;
  }
}

function walk(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) {
      if (e.name !== 'node_modules' && e.name !== '.git') out.push(...walk(p));
    } else if (e.isFile()) out.push(p);
  }
  return out.sort();
}

/** pnpm or berry, by content; undefined for yarn v1 and non-YAML files. */
function kindOf(file: string, text: string): LockYamlOptions | undefined {
  if (/^lockfileVersion: /m.test(text) || path.basename(file) === 'pnpm-lock.yaml' || /pnpm/.test(path.dirname(file))) return /\.ya?ml$/.test(file) ? PNPM : undefined;
  if (/^__metadata:/m.test(text)) return BERRY;
  return undefined;
}

function lockfiles(): { file: string; opts: LockYamlOptions }[] {
  const roots = [path.join(REPO_ROOT, 'src', 'ecosystems', 'npm', '__fixtures__')];
  if (HAS_SHARED) {
    roots.push(shared('realworld'), shared('conformance', 'lockfiles', 'osv-scalibr', 'javascript-pnpmlock'), shared('conformance', 'lockfiles', 'osv-scalibr', 'javascript-yarnlock'));
    roots.push(shared('conformance', 'lockfiles', 'osv-scanner-v1', 'pnpm'), shared('conformance', 'lockfiles', 'osv-scanner-v1', 'yarn'));
  }
  const out: { file: string; opts: LockYamlOptions }[] = [];
  for (const r of roots) {
    for (const file of walk(r)) {
      if (!/(pnpm-lock\.yaml|yarn\.lock|\.ya?ml|\.lock)$/.test(file) || statSync(file).size > 50 * 2 ** 20) continue;
      if (r === shared('realworld') && !/(pnpm-lock\.yaml|yarn\.lock)$/.test(file)) continue;
      const opts = kindOf(file, readFileSync(file, 'utf8'));
      if (opts) out.push({ file, opts });
    }
  }
  return out;
}

describe('fast lockfile YAML reader against the full one', () => {
  const files = lockfiles();

  it('finds the real and conformance lockfiles (the repository\'s own fixtures without ../shared)', () => {
    expect(files.filter((f) => f.opts === PNPM).length).toBeGreaterThanOrEqual(HAS_SHARED ? 40 : 2);
    expect(files.filter((f) => f.opts === BERRY).length).toBeGreaterThanOrEqual(HAS_SHARED ? 10 : 1);
  });

  it('gives the structure the full reader gives, on every file it reads', () => {
    const fellBack: string[] = [];
    for (const { file, opts } of files) {
      const text = readFileSync(file, 'utf8');
      const fast = fastLockYaml(text, opts);
      if (!fast) {
        fellBack.push(path.relative(REPO_ROOT, file));
        continue;
      }
      expect(fast.via).toBe('fast');
      expect(strip(fast), file).toStrictEqual(full(text, opts));
    }
    // what it leaves to the full reader: files that are not valid YAML maps, or hold what lockfile writers never write
    const expected = new Set(fellBack.filter((f) => /not-yaml|empty|invalid|duplicate|alias|anchor|tag|bad|hostile/i.test(f)));
    expect(fellBack.filter((f) => !expected.has(f))).toEqual([]);
  });

  it.skipIf(!HAS_SHARED)('reads every real-world pnpm and yarn berry lockfile itself (no fall-back)', () => {
    const real = files.filter((f) => f.file.startsWith(shared('realworld')));
    expect(real.length).toBeGreaterThanOrEqual(3);
    for (const { file, opts } of real) expect(fastLockYaml(readFileSync(file, 'utf8'), opts)?.via, file).toBe('fast');
  });
});

describe('fast lockfile YAML reader: what it leaves to the full reader', () => {
  const outside: [string, string][] = [
    ['an anchor and an alias', 'a: &x {b: 1}\nc: *x\n'],
    ['an alias bomb', 'a: &a [x, x]\nb: &b [*a, *a]\nc: [*b, *b]\n'],
    ['a tag', 'a: !!binary aGVsbG8=\n'],
    ['a custom tag', 'a: !foo bar\n'],
    ['a second document', 'a: 1\n---\nb: 2\n'],
    ['a directive', '%YAML 1.2\n---\na: 1\n'],
    ['odd indentation', 'a:\n    b: 1\n  c: 2\n'],
    ['a continuation line', 'a: one\n  two\n'],
    ['a duplicate key', 'a: 1\na: 2\n'],
    ['a duplicate nested key', 'p:\n  x:\n    v: 1\n    v: 2\n'],
    ['a duplicate key in a flow map', 'a: {b: 1, b: 2}\n'],
    ['a block scalar', 'a: |\n  text\n'],
    ['a nested flow collection', 'a: {b: [1, 2]}\n'],
    ['a multi-line flow collection', 'a: {b: 1,\n  c: 2}\n'],
    ['a tab', 'a:\n\tb: 1\n'],
    ['an explicit key', '? a\n: 1\n'],
    ['a sequence at its key\'s indent', 'a:\n- 1\n- 2\n'],
    ['a non-string key', '1.0: a\n'],
    ['a null key', '~: a\n'],
    ['a hex number', 'a: 0x1F\n'],
    ['an infinity', 'a: .inf\n'],
    ['a YAML-only escape', 'a: "\\x41"\n'],
    ['a multi-line quoted scalar', 'a: "one\n  two"\n'],
    ['a merge key', 'a: 1\n<<: {b: 2}\n'],
    ['__proto__', '__proto__: {polluted: true}\n'],
    ['a mapping in a compact value', 'a: b: c\n'],
    ['a top-level sequence', '- a\n- b\n'],
    ['an empty document', '# nothing\n'],
    ['a trailing comma', 'a: [1, 2, ]\n'],
    ['a long key', `${'k'.repeat(1100)}: 1\n`],
    ['deep nesting', Array.from({ length: 20 }, (_, i) => `${' '.repeat(i * 2)}k${i}:`).join('\n') + ' 1\n'],
    ['a byte-order mark', '\uFEFFa: 1\n'],
    ['a lone CR', 'a: 1\rb: 2\n'],
  ];
  for (const [what, text] of outside) {
    it(`gives up on ${what}`, () => {
      expect(fastLockYaml(text, PNPM)).toBeUndefined();
      expect(fastLockYaml(text, BERRY)).toBeUndefined();
    });
  }

  it('so readLockYaml answers as the full reader: aliases, tags and duplicate keys refused, duplicates reported for berry', () => {
    expect(() => readLockYaml('a: &x {b: 1}\nc: *x\n', 'f.yaml', PNPM)).toThrow(/alias \*x is not read in a lockfile/);
    expect(() => readLockYaml('a: !!binary aGVsbG8=\n', 'f.yaml', PNPM)).toThrow(/YAML tag !!binary is not read/);
    expect(() => readLockYaml('a: 1\na: 2\n', 'f.yaml', PNPM)).toThrow(/duplicate key "a"/);
    const berry = readLockYaml('"a@npm:1":\n  version: 1.0.0\n"a@npm:1":\n  version: 2.0.0\n', 'f.yaml', BERRY);
    expect(berry.via).toBe('full');
    expect(berry.duplicates).toEqual([{ key: 'a@npm:1', line: 3 }]);
    expect(berry.top.map((t) => t.line)).toEqual([1, 3]);
  });
});

describe('fast lockfile YAML reader: the subset it reads, as the full reader reads it', () => {
  const inside: [string, string][] = [
    ['scalars of every core-schema kind', "a: 1\nb: -2\nc: +3\nd: 1.5\ne: 1.\nf: .5\ng: 1e3\nh: 2.5E-2\ni: true\nj: False\nk: NULL\nl: ~\nm: 1.0.0\nn: '5.4'\no: \"9.0\"\np: 007\nq: tRue\nr: nul\ns: -x\nt: ?y\nu: -.5\n-k: 1\n"],
    ['quoted scalars with escapes', `a: 'it''s'\nb: "q\\"uote \\\\ \\/ \\t \\u00e9"\nc: ''\nd: ""\n`],
    ['comments everywhere', '# head\na: 1 # trailing\n  # indented\nb:\n  # before a child\n  c: x#not-a-comment\n'],
    ['flow collections of scalars', "a: {integrity: sha512-abc==, tarball: 'https://r.example/a.tgz'}\nb: [x64, arm64]\nc: {}\nd: []\ne: {node: ^14.17.0 || >=16.0.0}\nf: ['>=12', \"q\"]\n"],
    ['block sequences', 'a:\n  - one\n  - "two"\n  - [3]\n'],
    ['empty values', 'a:\nb:\n  c:\n  d: 1\ne:\n'],
    ['plain scalars with indicators inside', 'a: b:c\nd: e,f [g] {h}\nk: /a@1.0.0(b@2.0.0)\nl: os=darwin & cpu=arm64\n'],
    ['CRLF line ends', 'a: 1\r\nb:\r\n  c: x\r\n'],
    ['keys that are names of Object.prototype', 'constructor: 1\ntoString:\n  hasOwnProperty: 2\n'],
    ['quoted keys', '"@babel/core@npm:^7.0.0, @babel/core@npm:^7.1.0":\n  version: 7.1.0\n\'b\': 2\n'],
    ['sections as pairs with lines', 'lockfileVersion: \'9.0\'\nimporters:\n  .:\n    dependencies:\n      a:\n        specifier: ^1\n        version: 1.0.0\npackages:\n\n  a@1.0.0:\n    resolution: {integrity: sha512-x}\n  b@2.0.0: {}\nsnapshots: {}\n'],
  ];
  for (const [what, text] of inside) {
    it(`reads ${what}`, () => {
      for (const opts of [PNPM, BERRY]) {
        const fast = fastLockYaml(text, opts);
        expect(fast?.via).toBe('fast');
        expect(strip(fast)).toStrictEqual(full(text, opts));
      }
    });
  }

  it('resolves scalars as the core schema does', () => {
    const fast = fastLockYaml("a: 1\nb: 1.0\nc: '1'\nd: true\ne: ~\nf: 0.10\ng: 1.0.0\n", BERRY)!;
    expect(fast.top.map((t) => ('value' in t ? t.value : undefined))).toEqual([1, 1, '1', true, null, 0.1, '1.0.0']);
  });
});

describe('fast lockfile YAML reader: never accepts what the full reader refuses (generated documents)', () => {
  // a fixed-seed generator of small documents from the pieces both readers meet at the edges
  let seed = 17;
  const rnd = (n: number): number => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed % n;
  };
  const pick = <T>(xs: readonly T[]): T => xs[rnd(xs.length)]!;
  const KEYS = ['a', 'b', 'c', 'a b', '-x', '?x', ':x', '-', 'x-', '"q"', "'s'", '"a"', '1', '1.0', 'a:b', 'a#b', 'a #b', '[x]', '{x}', 'x,y', '~', 'true', '"__proto__"', '/a@1.0.0(b@2)', '"e\\"x"', "'it''s'", '@x', '%x', '&x', '*x', '!x', '|', '>', '`x', 'x y:z'];
  const VALUES = ['1', '-1', '+1', '1.5', '.5', '1e3', '0x1F', '0o7', '.inf', '.nan', 'true', 'False', 'null', '~', 'x', 'x y', 'x: y', 'x:y', 'x #c', 'x#c', "'a'", "'a'' b'", '"a"', '"\\x41"', '"\\u00e9"', '"\\/"', '"a" b', "'a", '"a', '{a: 1}', '{a: 1, b: [x]}', '{a:1}', '{"a": 1}', '{a: 1,}', '[a, b]', '[a, [b]]', '[]', '{}', '[a: b]', '[a #c]', '- x', '-x', '? x', '&a x', '*a', '!!str x', '|', '>-', '@x', '`x', '%x', ',x', 'x,', '[x] y', '{x} y', ': x', 'x :y'];
  const line = (indent: number): string => {
    const sp = ' '.repeat(indent);
    switch (rnd(10)) {
      case 0:
        return `${sp}# comment`;
      case 1:
        return '';
      case 2:
        return `${sp}${pick(KEYS)}:`;
      case 3:
        return `${sp}- ${pick(VALUES)}`;
      default:
        return `${sp}${pick(KEYS)}: ${pick(VALUES)}`;
    }
  };

  it('on 5,000 documents, the fast reader either gives up or gives exactly what the full reader gives', () => {
    let read = 0;
    for (let d = 0; d < 5000; d++) {
      const lines: string[] = [];
      let indent = 0;
      const n = 1 + rnd(8);
      for (let i = 0; i < n; i++) {
        const r = rnd(6);
        if (r === 0) indent += 1 + rnd(3);
        else if (r === 1) indent = Math.max(0, indent - 2);
        else if (r === 2) indent = 0;
        lines.push(line(indent));
      }
      const text = lines.join(rnd(10) === 0 ? '\r\n' : '\n') + (rnd(2) ? '\n' : '');
      for (const opts of [PNPM, BERRY]) {
        const fast = fastLockYaml(text, opts);
        if (!fast) continue;
        read++;
        expect(strip(fast), JSON.stringify(text)).toStrictEqual(full(text, opts));
      }
    }
    // the generator reaches the subset often enough for the comparison to mean something
    expect(read).toBeGreaterThan(1000);
  });
});
