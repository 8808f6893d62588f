import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { bunLockExtractor, parseBunLock, toJson } from './bun-lock.js';
import { packageLockExtractor } from './package-lock.js';
import type { Inventory } from '../../model/inventory.js';
import { fileInput, memoryInput } from '../../io/input.js';
import { lockfileCases } from '../../testing/lockfile-conformance.js';
import { HAS_SHARED } from '../../testing/shared.js';
import { P, comp, edgesFrom, errorOf, expectLocated, expectedSet, nameVersions } from './lock-testing.js';

const FIXTURE = path.join(path.dirname(fileURLToPath(import.meta.url)), '__fixtures__', 'bun', 'bun.lock');

async function extractFile(p: string): Promise<Inventory> {
  return bunLockExtractor.extract(await fileInput(p));
}

function extractText(text: string, p = 'bun.lock'): Promise<Inventory> {
  return bunLockExtractor.extract(memoryInput(p, text));
}

describe('npm/bun-lock: file selection', () => {
  it.each([
    ['bun.lock', true],
    ['path/to/bun.lock', true],
    ['bun.lockb', false],
    ['path/to/bun.lock/file', false],
    ['app/node_modules/x/bun.lock', false],
  ])('wants(%s) = %s', (p, want) => {
    expect(bunLockExtractor.wants(p)).toBe(want);
  });

  it('sniffs bun.lock, not package-lock.json (and package-lock does not sniff bun.lock)', () => {
    const head = '{\n  "lockfileVersion": 1,\n  "workspaces": {\n    "": {\n';
    expect(bunLockExtractor.sniff!(head)).toBe(true);
    expect(packageLockExtractor.sniff!(head)).toBe(false);
    expect(bunLockExtractor.sniff!('{\n  "name": "x",\n  "lockfileVersion": 3,\n  "packages": {')).toBe(false);
  });
});

describe.skipIf(!HAS_SHARED)('npm/bun-lock: conformance (osv-scalibr)', () => {
  const cases = lockfileCases(['osv-scalibr/javascript-bunlock']);

  it('finds the bun cases', () => {
    expect(cases.length).toBe(20);
  });

  for (const { label, file, c } of cases) {
    it(label, async () => {
      if (c.expectError) {
        const err = await errorOf(extractFile(file));
        expect(['INPUT_PARSE', 'INPUT_UNSUPPORTED']).toContain(err.code);
        expect(err.oneLine()).toContain(file);
        // scalibr words a bad tuple as we do; "could not extract" for not-JSON is its own wording
        if (c.expectError.contains?.includes("'")) expect(err.message).toContain(c.expectError.contains);
        return;
      }
      const inv = await extractFile(file);
      const listed = c.expectedPackages ?? [];
      // git / file packages record no version (upstream lists them with ""): unresolved, not invented
      const versionless = listed.filter((p) => p.version === '');
      expect(inv.unresolved.map((u) => u.name).sort()).toEqual(versionless.map((p) => p.name).sort());
      expect(nameVersions(inv)).toEqual(expectedSet(listed.filter((p) => p.version !== '')));
      expectLocated(inv, file);
    });
  }
});

describe('npm/bun-lock: fixture (__fixtures__/bun/bun.lock)', () => {
  const root = `root:${FIXTURE}`;

  it('packages with lines and hashes; workspaces as roots; git deps unresolved', async () => {
    const inv = await extractFile(FIXTURE);
    expect(nameVersions(inv)).toEqual(['chalk@4.1.2', 'has-flag@3.0.0', 'has-flag@4.0.0', 'native@2.0.1', 'tester@3.0.2']);
    expect(comp(inv, 'chalk', '4.1.2').locations).toEqual([{ path: FIXTURE, line: 26 }]);
    expect(comp(inv, 'has-flag', '3.0.0').locations).toEqual([
      { path: FIXTURE, line: 38 },
      { path: FIXTURE, line: 40 },
    ]);
    expect(comp(inv, 'chalk', '4.1.2').hashes).toEqual([{ alg: 'sha1', value: 'b5243d8f3ec1aa35f1364605bc0d1036e30ab69f' }]);
    expect([...inv.graph.roots.entries()]).toEqual([
      [root, 'bun-demo'],
      [`${root}#packages/tool`, 'tool'],
    ]);
    expect(inv.unresolved).toEqual([
      { name: 'gitdep', ecosystem: 'npm', spec: 'github:u/gitdep#abc1234', line: 28, reason: 'comes from a git repository; no version recorded' },
    ]);
  });

  it('edges resolve nested install paths first; direct and scope from the workspaces', async () => {
    const inv = await extractFile(FIXTURE);
    expect(edgesFrom(inv, root)).toEqual([`${root}#packages/tool`, P('chalk', '4.1.2'), P('native', '2.0.1'), P('tester', '3.0.2')].sort());
    expect(edgesFrom(inv, `${root}#packages/tool`)).toEqual([P('has-flag', '3.0.0')]);
    expect(edgesFrom(inv, P('chalk', '4.1.2'))).toEqual([P('has-flag', '4.0.0')]);
    expect(edgesFrom(inv, P('tester', '3.0.2'))).toEqual([P('has-flag', '3.0.0')]);
    const scopes = Object.fromEntries([...inv.graph.components.values()].map((c) => [`${c.name}@${c.version}`, [c.scope, c.direct]]));
    expect(scopes).toEqual({
      'chalk@4.1.2': ['prod', true],
      'has-flag@3.0.0': ['prod', true],
      'has-flag@4.0.0': ['prod', false],
      'native@2.0.1': ['optional', true],
      'tester@3.0.2': ['dev', true],
    });
    expect(inv.warnings.filter((w) => w.includes('not found'))).toEqual([]);
  });

  it('JSONC → JSON keeps offsets and lines; a 5,000-package file extracts completely', () => {
    const text = readFileSync(FIXTURE, 'utf8');
    const { json } = toJson(text);
    expect(json.length).toBe(text.length);
    expect(() => JSON.parse(json) as unknown).not.toThrow();
    const tricky = '{"a": 1, // c\n "b": [1, 2, /* x */ ], "c": "//, not a comment",\n}';
    expect(toJson(tricky).json.length).toBe(tricky.length);
    expect(JSON.parse(toJson(tricky).json)).toEqual({ a: 1, b: [1, 2], c: '//, not a comment' });
    // 5,000 synthetic packages
    const pk = Array.from({ length: 5000 }, (_, i) => `    "p${i}": ["p${i}@1.0.${i}", "", { "dependencies": { "p${(i + 1) % 5000}": "^1" } }, "sha512-QUJD"],`);
    const big = `{\n  "lockfileVersion": 1,\n  "workspaces": { "": { "dependencies": { "p0": "^1" } } },\n  "packages": {\n${pk.join('\n')}\n  }\n}\n`;
    const inv = parseBunLock(big, 'big/bun.lock');
    expect(inv.graph.components.size).toBe(5000);
  });
});

describe('npm/bun-lock: bad input', () => {
  it.each([
    ['truncated', '{\n  "lockfileVersion": 1,\n  "packages": {\n    "a": ["a@1.0.0", "",', 4],
    ['garbage', 'not json at all\n', undefined], // V8 gives no position for a bad first token
  ])('%s → INPUT_PARSE naming the file', async (_l, text, line) => {
    const err = await errorOf(extractText(text));
    expect(err.code).toBe('INPUT_PARSE');
    expect(err.position?.line).toBe(line);
    expect(err.oneLine()).toMatch(/^bun\.lock/);
  });

  it('a bad tuple names the key and its line', async () => {
    const err = await errorOf(extractText('{\n  "lockfileVersion": 1,\n  "packages": {\n    "x": [1, ""],\n  }\n}\n'));
    expect(err.code).toBe('INPUT_PARSE');
    expect(err.message).toContain("could not extract 'x'");
    expect(err.position?.line).toBe(4);
  });

  it('JSON that is not a bun lockfile → INPUT_UNSUPPORTED', async () => {
    expect((await errorOf(extractText('[1, 2]'))).code).toBe('INPUT_UNSUPPORTED');
    expect((await errorOf(extractText('{"name": "x"}'))).code).toBe('INPUT_UNSUPPORTED');
  });
});
