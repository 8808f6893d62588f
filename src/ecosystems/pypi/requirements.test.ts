import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseRequirements, requirementsExtractor } from './requirements.js';
import { fileInput, memoryInput } from '../../io/input.js';
import type { Inventory } from '../../model/inventory.js';
import { HAS_SHARED, shared } from '../../testing/shared.js';
import { componentKeys, conformanceDir, expectedKeys, key, loadCases, shouldExtract } from './conformance-testing.js';

const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), '__fixtures__');

const extractFile = async (p: string): Promise<Inventory> => requirementsExtractor.extract(await fileInput(p));
const extractText = (text: string, p = 'requirements.txt'): Promise<Inventory> =>
  requirementsExtractor.extract(memoryInput(p, text));

describe('pypi/requirements: file selection', () => {
  it.skipIf(!HAS_SHARED).each(shouldExtract(/parse-requirements-txt_test/))('osv-scanner vector "$path" → $want', ({ path: p, want }) =>
    expect(requirementsExtractor.wants(p)).toBe(want),
  );
  it.each([
    ['requirements.txt', true],
    ['a/b/requirements-dev.txt', true],
    ['requirements.in', false],
    ['a/poetry.lock', false],
  ])('%s → %s', (p, want) => expect(requirementsExtractor.wants(p)).toBe(want));
});

/**
 * Upstream reports unpinned requirements as packages (osv-scanner v1 with version "0.0.0" or the
 * number after `>=`/`~=`; osv-scalibr with the number after one `==`/`>=`/`<=`/`~=` clause, else
 * no version). vouch never invents a version: those go to `unresolved`. To compare, an unresolved
 * entry with an `unpinned` reason is turned into the package upstream would report, by upstream's
 * rule; direct URLs, editables and invalid versions are skipped by upstream and by this mapping.
 */
function upstreamView(inv: Inventory, suite: 'v1' | 'scalibr'): string[] {
  const keys = componentKeys(inv);
  for (const u of inv.unresolved) {
    if (!u.reason.startsWith('unpinned')) continue;
    const spec = (u.spec ?? '').trim();
    let version: string | undefined;
    if (suite === 'v1') {
      const m = /^(>=|~=)\s*(\S+)/.exec(spec);
      version = m ? m[2] : '0.0.0';
    } else {
      const m = /^(==|>=|<=|~=)\s*([^\s,*]+)$/.exec(spec);
      version = m ? m[2] : '';
    }
    keys.push(key(u.name, version));
  }
  return [...new Set(keys)].sort();
}

/** Cases where vouch deliberately differs from upstream, with the reason. */
const DEVIATIONS: Record<string, { reason: string; expect: (c: string[]) => string[] }> = {
  'line-continuation.txt': {
    reason:
      'pip strips every trailing backslash of a continued line, so `bar == 4.5\\\\` + `.6` reads 4.5.6; osv-scanner v1 reports `4.5\\\\`',
    expect: (keys) => keys.map((k) => (k.startsWith('bar@') ? 'bar@4.5.6' : k)),
  },
  'per_req_options.txt': {
    reason:
      '`foo7==1.0 unexpected_text…` is not a valid specifier (pip rejects it): vouch lists it as unresolved, osv-scalibr keeps the text as the version',
    expect: (keys) => keys.filter((k) => !k.startsWith('foo7@')),
  },
};

describe.skipIf(!HAS_SHARED)('pypi/requirements: osv-scanner v1 conformance (pip)', () => {
  const dir = conformanceDir('osv-scanner-v1/pip');
  for (const c of loadCases('osv-scanner-v1/pip')) {
    it(c.title, async () => {
      const file = path.join(dir, c.fixture);
      if (!c.fixtureExists) {
        await expect(extractFile(file)).rejects.toMatchObject({ code: 'INPUT_MISSING' });
        return;
      }
      const inv = await extractFile(file);
      if (c.expectError) {
        // with-bad-r-option: upstream fails on the missing include; vouch warns (the brief: a missing include is a warning)
        expect(inv.warnings.some((w) => /not found/.test(w))).toBe(true);
        return;
      }
      const dev = DEVIATIONS[c.fixture];
      const want = dev ? dev.expect(expectedKeys(c)).sort() : expectedKeys(c);
      expect(upstreamView(inv, 'v1')).toEqual(want);
    });
  }
});

describe.skipIf(!HAS_SHARED)('pypi/requirements: osv-scalibr conformance (python-requirements)', () => {
  const dir = conformanceDir('osv-scalibr/python-requirements');
  for (const c of loadCases('osv-scalibr/python-requirements')) {
    it(c.title, async () => {
      const inv = await extractFile(path.join(dir, c.fixture));
      const dev = DEVIATIONS[c.fixture];
      const want = dev ? dev.expect(expectedKeys(c)).sort() : expectedKeys(c);
      expect(upstreamView(inv, 'scalibr')).toEqual(want);
    });
  }
  it('loop.txt ↔ other-loop.txt terminates with nothing found', async () => {
    const inv = await extractFile(path.join(dir, 'loop.txt'));
    expect(inv.graph.components.size).toBe(0);
  });
  it('invalid.txt: warnings and unresolved entries, no components, no crash', async () => {
    const inv = await extractFile(path.join(dir, 'invalid.txt'));
    expect(inv.graph.components.size).toBe(0);
    expect(inv.warnings.join('\n')).toMatch(/unknown option -foo/);
    // a line pip would refuse: the file is read only in part, never silently
    expect(inv.lost?.join('\n')).toMatch(/"==1.0" is not a requirement; not read/);
    expect(inv.warnings.join('\n')).not.toMatch(/is not a requirement/);
    expect(inv.unresolved.map((u) => u.name)).toEqual(['asdf', 'asdf', 'urllib3']);
  });
  it('env_var.txt: ${VAR} versions are unresolved, not guessed', async () => {
    const inv = await extractFile(path.join(dir, 'env_var.txt'));
    expect(inv.unresolved).toEqual([
      expect.objectContaining({ name: 'qwert', line: 2, spec: '==${MY_VARIABLE_1}', reason: expect.stringMatching(/not a valid/) }),
    ]);
  });
});

describe('pypi/requirements: fixtures', () => {
  it('dev file: lines, hashes, scopes, includes, constraints, markers, unresolved', async () => {
    const inv = await extractFile(path.join(FIXTURES, 'requirements-dev.txt'));
    const byName = new Map([...inv.graph.components.values()].map((c) => [c.name, c]));
    expect([...byName.keys()].sort()).toEqual(['Django', 'Requests', 'flake8', 'pytest']);
    const pytest = byName.get('pytest')!;
    expect(pytest).toMatchObject({
      purl: 'pkg:pypi/pytest@7.4.0',
      ecosystem: 'PyPI',
      version: '7.4.0',
      scope: 'dev',
      direct: true,
      locations: [{ path: path.join(FIXTURES, 'requirements-dev.txt'), line: 4 }],
      hashes: [{ alg: 'sha256', value: '78bf16451a2eb8c7a2ea98e32dc119fd2aa758f1d5d66dbf0a59d69a3969df32' }],
    });
    expect(byName.get('Requests')).toMatchObject({ purl: 'pkg:pypi/requests@2.31.0', version: '2.31.0', locations: [{ line: 8 }] });
    // from the -r include: its own file, its own (prod) scope
    expect(byName.get('Django')).toMatchObject({
      scope: 'prod',
      direct: true,
      locations: [{ path: path.join(FIXTURES, 'requirements.txt'), line: 1 }],
    });
    // bare `flake8` pinned by the -c constraints file
    expect(byName.get('flake8')).toMatchObject({ version: '6.1.0', locations: [{ line: 6 }] });
    expect(inv.unresolved).toEqual([
      expect.objectContaining({ name: 'y', line: 2, reason: expect.stringMatching(/editable/) }),
      expect.objectContaining({ name: 'urllib3', line: 3, reason: expect.stringMatching(/direct URL/) }),
      expect.objectContaining({ name: 'black', line: 7, spec: '>=23.1', reason: 'unpinned: >=23.1' }),
    ]);
    const rootEdges = [...(inv.graph.edges.get(`root:${path.join(FIXTURES, 'requirements-dev.txt')}`) ?? [])].sort();
    expect(rootEdges).toEqual(['pkg:pypi/django@4.2.7', 'pkg:pypi/flake8@6.1.0', 'pkg:pypi/pytest@7.4.0', 'pkg:pypi/requests@2.31.0']);
    const w = inv.warnings.join('\n');
    expect(w).toMatch(/missing\.txt not found/);
    expect(w).toMatch(/Requests \(python_version >= "3.8"\)/);
  });

  it('a file including itself is read once', async () => {
    const inv = await extractFile(path.join(FIXTURES, 'requirements-cycle.txt'));
    expect(componentKeys(inv)).toEqual(['six@1.16.0']);
  });

  it('continuations keep the first line; comments and options are stripped', async () => {
    const inv = await extractText('# c\n\nfoo \\\n  == 1.0 # pinned\nbar===legacy-1 --hash sha256:AB\n--index-url https://x\n');
    expect([...inv.graph.components.values()].map((c) => [c.name, c.version, c.locations[0]!.line, c.hashes])).toEqual([
      ['foo', '1.0', 3, undefined],
      ['bar', 'legacy-1', 5, [{ alg: 'sha256', value: 'ab' }]],
    ]);
  });

  it('includes are not followed without a reader (files inside archives)', async () => {
    const inv = await parseRequirements('-r other.txt\na==1\n', 'x.zip!/requirements.txt');
    expect(componentKeys(inv)).toEqual(['a@1']);
    expect(inv.warnings[0]).toMatch(/not followed/);
  });
});

describe('pypi/requirements: bad input', () => {
  it('binary garbage is a clear INPUT_PARSE error naming the file', async () => {
    await expect(extractText('\u0000\u0001garbage')).rejects.toMatchObject({ code: 'INPUT_PARSE', path: 'requirements.txt' });
  });
  it('text garbage is lost (the input is partial) and a truncated line unresolved, never a crash', async () => {
    const inv = await extractText('%%% not a requirement\nflask==\ndjango==4.2.\n');
    expect(inv.graph.components.size).toBe(0);
    expect(inv.lost).toEqual(['requirements.txt:1: "%%% not a requirement" is not a requirement; not read']);
    expect(inv.unresolved.map((u) => [u.name, u.line])).toEqual([
      ['flask', 2],
      ['django', 3],
    ]);
  });
});

const PYGOAT = shared('realworld', 'adeyosemanputra__pygoat');
describe.skipIf(!HAS_SHARED || !existsSync(PYGOAT))('pypi/requirements: realworld pygoat', () => {
  it.each([
    ['requirements.txt', 34],
    ['dockerized_labs/broken_auth_lab/requirements.txt', 7],
    ['dockerized_labs/insec_des_lab/requirements.txt', 2],
    ['dockerized_labs/sensitive_data_exposure/requirements.txt', 3],
  ])('%s: %i pinned packages (README count)', async (rel, n) => {
    const file = path.join(PYGOAT, rel);
    const inv = await extractFile(file);
    const pinnedLines = readFileSync(file, 'utf8').split('\n').filter((l) => /^[A-Za-z0-9][^=<>~!]*==/.test(l)).length;
    expect(inv.graph.components.size).toBe(pinnedLines);
    expect(inv.graph.components.size).toBe(n);
  });
});
