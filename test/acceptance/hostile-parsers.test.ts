/**
 * The CLI contract under hostile input (issue 12, item 5; docs/reliability.md "Parsers, sizes and
 * output"), through bin/vouch as a user runs it:
 *  - regular expressions over input are linear: every reader gets its valid sample with 100 kB runs
 *    of the characters regexes trip on (blanks, tabs, separators, digits) in its lines or its values,
 *    and must finish — a child process, killed after 60 s, so a catastrophic regex fails the test
 *    instead of hanging it (the known case, runs of blanks in requirements.txt, took minutes);
 *  - every error is one line starting `vouch:`, never a stack trace, exit 0/1/2, never 70;
 *  - control characters from inputs reach stderr escaped, and a 1 MB value is cut.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseToml, stringify as stringifyToml } from 'smol-toml';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { allEcosystemExtractors } from '../../src/ecosystems/index.js';
import type { Sample } from '../../src/testing/hostile.js';
import { ecosystemSamples } from '../../src/testing/hostile-samples.js';
import { REPO_ROOT } from '../../src/testing/shared.js';
import { tempDir, VOUCH } from './helpers.js';

const work = tempDir('hostile-parsers');
afterAll(() => rmSync(work, { recursive: true, force: true }));
// a small store (17 PyPI advisories), so `vouch scan` gets as far as the inputs
beforeAll(() => {
  const r = run(['db', 'update', '--quiet', '--source', path.join(REPO_ROOT, 'src', 'ecosystems', 'pypi', '__fixtures__', 'fix', 'osv')]);
  expect(r.code).toBe(0);
});

const RUN = 100_000;
/** Runs regexes trip on: blanks, separators, digits, letters, the characters of version and URL syntax. */
const WORST = [' ', '\t', ' \t', '0', 'a', '-', '.', '=', '@', '/', '\\', '#', ':', '0.', 'a-', '[', '(', ';', ','].map((c) => c.repeat(Math.ceil(RUN / c.length)).slice(0, RUN));
/** Prefixes that take a line deep into a reader's patterns before the run. */
const PREFIXES = ['', 'a', 'a==', 'a @ ', 'a ', 'name: ', '  a ', 'org.a:b:', 'pkg:npm/a@', 'a (', '"a@', 'require a v'];

function worstLines(): string {
  const lines: string[] = [];
  WORST.forEach((w, i) => lines.push(`${PREFIXES[i % PREFIXES.length]}${w}x`));
  return lines.join('\n') + '\n';
}

/** The sample with its first string values (JSON, YAML, TOML) or leaf texts (XML) replaced by the runs; text formats get the lines appended. */
function hostile(s: Sample): string {
  const text = s.bytes.toString('utf8');
  let i = 0;
  const next = (): string => `${PREFIXES[i % PREFIXES.length]}${WORST[i++ % WORST.length]}`;
  const swap = (v: unknown): unknown => {
    if (typeof v === 'string') return i < WORST.length ? next() : v;
    if (Array.isArray(v)) return v.map(swap);
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, swap(x)]));
    return v;
  };
  switch (s.syntax) {
    case 'json': {
      let doc: unknown;
      try {
        doc = JSON.parse(text);
      } catch {
        doc = JSON.parse(text.replace(/,(\s*[}\]])/g, '$1'));
      }
      return JSON.stringify(swap(doc));
    }
    case 'yaml':
      return stringifyYaml(swap(parseYaml(text)), { lineWidth: 0 });
    case 'toml':
      return stringifyToml(swap(parseToml(text)) as Record<string, unknown>);
    case 'xml': {
      const esc = (t: string): string => t.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;');
      return text.replace(/>([^<\s][^<]*)</g, (m) => (i < WORST.length ? `>${esc(next())}<` : m)).replace(/="([^"]*)"/g, (m) => (i < WORST.length * 2 ? `="${esc(next())}"` : m));
    }
    default:
      return text + (text.endsWith('\n') ? '' : '\n') + worstLines();
  }
}

function run(args: string[], timeout = 60_000): { code: number | null; signal: NodeJS.Signals | null; stderr: string; stdout: string } {
  const r = spawnSync(process.execPath, [VOUCH, ...args], { encoding: 'utf8', timeout, maxBuffer: 64 * 1024 * 1024, env: { ...process.env, VOUCH_HOME: path.join(work, 'home') } });
  return { code: r.status, signal: r.signal, stderr: r.stderr, stdout: r.stdout };
}

/** stderr as the contract wants it: every line `vouch: …`, no stack, no raw control character. */
function expectCleanStderr(stderr: string): void {
  for (const line of stderr.split('\n').filter(Boolean)) {
    expect(line.startsWith('vouch: '), line.slice(0, 200)).toBe(true);
    expect(line).not.toMatch(/internal error|^\s+at /);
    // eslint-disable-next-line no-control-regex
    expect(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/.test(line), line.slice(0, 200)).toBe(false);
  }
}

describe('regular expressions over input are linear: 100 kB runs of the worst characters, every reader', () => {
  const all = ecosystemSamples();
  for (const e of allEcosystemExtractors()) {
    const samples = (all[e.id] ?? []).filter((s) => s.syntax !== 'binary');
    const name = e.parseAs?.[0];
    if (!samples.length || !name || name.startsWith('*')) continue;
    it(`${e.id} (--parse-as ${name}) finishes, with one-line messages`, () => {
      const dir = path.join(work, e.id.replace('/', '_'));
      mkdirSync(dir, { recursive: true });
      const files = samples.map((s, n) => {
        const f = path.join(dir, `${n}-${path.basename(s.file)}`);
        writeFileSync(f, hostile(s));
        return f;
      });
      const r = run(['sbom', '--parse-as', name, '--allow-partial', '-o', path.join(dir, 'out.cdx.json'), ...files]);
      expect(r.signal, `killed after 60 s: ${e.id}`).toBeNull();
      expect([0, 2]).toContain(r.code);
      expectCleanStderr(r.stderr);
    });
  }
});

describe('the CLI contract on hostile files', () => {
  it('a requirements.txt of 100 kB of blanks and tabs per line (the catastrophic case) is read', () => {
    const f = path.join(work, 'requirements.txt');
    writeFileSync(f, `requests==2.31.0\n${'a' + ' \t'.repeat(50_000)}x\n${'a' + ' '.repeat(100_000)}#\nflask${' '.repeat(100_000)}@ https://x/y.whl${' '.repeat(100_000)}; python_version > "3"\n`);
    const r = run(['sbom', '-f', 'cyclonedx-json', f]);
    expect(r.signal).toBeNull();
    expect(r.stdout).toContain('pkg:pypi/requests@2.31.0');
    expectCleanStderr(r.stderr);
  });

  it('control characters in an input reach stderr escaped, and a 1 MB purl is cut', () => {
    const dir = path.join(work, 'ctl');
    mkdirSync(dir, { recursive: true });
    const f = path.join(dir, 'bom.cdx.json');
    const evil = '\u001b]0;owned\u0007\u001b[2J\u202e';
    writeFileSync(
      f,
      JSON.stringify({
        bomFormat: 'CycloneDX',
        specVersion: '1.6',
        components: [
          { type: 'library', name: 'a', version: '1.0.0', purl: `pkg:npm/a@1.0.0` },
          { type: 'library', name: 'c', version: '1', purl: `pkg:npm/${'c'.repeat(1_000_000)}@1%` },
          { type: 'library', name: `b${evil}`, version: '1', purl: `pkg:${evil}/b@1` },
        ],
      }),
    );
    const r = run(['sbom', f, '-o', path.join(dir, 'out.cdx.json')]);
    expect(r.code).toBe(2); // components that could not be read: partial
    expectCleanStderr(r.stderr);
    expect(r.stderr).toContain(`${'c'.repeat(150)}`); // the 1 MB purl is named (first lost item)…
    expect(r.stderr).toContain('…'); // …and cut
    const verbose = run(['scan', '--verbose', '--allow-partial', f]);
    expectCleanStderr(verbose.stderr);
    expect(verbose.stdout + verbose.stderr).toContain('\\x1B]0;owned\\x07');
    expect((verbose.stdout + verbose.stderr).includes('\u001b]0;owned')).toBe(false);
    expect(Math.max(...r.stderr.split('\n').map((l) => l.length))).toBeLessThan(2000);
  });

  it('a file with a control character in its name and binary content: one escaped line, exit 2', () => {
    const f = path.join(work, 'bad\u001b[31m.json');
    writeFileSync(f, Buffer.from([0xff, 0xfe, 0x00, 0xd8, 0x41]));
    const r = run(['sbom', '--parse-as', 'package-lock.json', f]);
    expect(r.code).toBe(2);
    expectCleanStderr(r.stderr);
    expect(r.stderr).toContain('bad\\x1B[31m.json');
  });

  it('an XML entity bomb as a CycloneDX SBOM ends at once with one line', () => {
    const f = path.join(work, 'laughs.cdx.xml');
    const ents = ['<!ENTITY l0 "lol">'];
    for (let i = 1; i < 10; i++) ents.push(`<!ENTITY l${i} "${`&l${i - 1};`.repeat(10)}">`);
    writeFileSync(f, `<?xml version="1.0"?>\n<!DOCTYPE bom [${ents.join('')}]>\n<bom xmlns="http://cyclonedx.org/schema/bom/1.6"><components><component type="library"><name>&l9;</name></component></components></bom>\n`);
    const r = run(['sbom', f], 20_000);
    expect(r.signal).toBeNull();
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/laughs\.cdx\.xml:2: XML entity declarations are not read/);
    expect(r.stderr).not.toContain('lollol');
    expectCleanStderr(r.stderr);
  });
});
