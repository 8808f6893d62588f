import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { VouchError } from '../model/errors.js';
import type { ReportFinding } from '../model/triage.js';
import { checkFailOnConflict, evaluatePolicy, findPolicyFile, loadPolicy, ignoreSuppressor, parsePolicy } from './policy.js';
import { renderPolicyResult } from '../report/policy.js';

const FIX = path.join(path.dirname(fileURLToPath(import.meta.url)), '__fixtures__', 'policy');
const fix = (name: string): string => path.join(FIX, name);

function parseError(text: string, file = 'vouch.policy.yaml'): VouchError {
  try {
    parsePolicy(text, file);
  } catch (e) {
    if (e instanceof VouchError) return e;
    throw e;
  }
  throw new Error('expected a VouchError');
}

function finding(over: Partial<ReportFinding> & { id: string; purl: string }): ReportFinding {
  return {
    aliases: [],
    modified: '2024-01-01T00:00:00Z',
    ecosystem: 'npm',
    name: 'x',
    version: '1.0.0',
    scope: 'prod',
    direct: true,
    severity: { rating: 'HIGH', score: 7.5 },
    fixed: [],
    fixedVersions: [],
    match: [],
    paths: [],
    locations: [],
    references: [],
    ...over,
  };
}

describe('loading', () => {
  it('reads every key of the full example with the line of each rule', () => {
    const p = loadPolicy(fix('full.yaml'));
    const file = fix('full.yaml');
    expect(p.fail?.severity).toEqual({ value: 'HIGH', source: `${file}:4` });
    expect(p.fail?.kev).toEqual({ value: true, source: `${file}:5` });
    expect(p.fail?.epss).toEqual({ value: 0.1, source: `${file}:6` });
    expect(p.fail?.epssPercentile?.value).toBe(0.95);
    expect(p.fail?.scopes?.value).toEqual(['prod', 'optional']);
    expect(p.ignore).toEqual([
      {
        rule: 'ignore[0]',
        id: 'CVE-2021-44228',
        package: 'pkg:maven/org.apache.logging.log4j/log4j-core',
        reason: 'JndiLookup removed from the jar; see SEC-123',
        expires: '2027-01-31',
        source: `${file}:10`,
      },
      { rule: 'ignore[1]', id: 'GHSA-jfh8-c2jp-5v3q', reason: 'only in the build container, never shipped', expires: '2026-10-31', source: `${file}:14` },
    ]);
    expect(p.licenses?.allow?.value).toEqual(['MIT', 'Apache-2.0', 'BSD-3-Clause', 'ISC', 'GPL-2.0-or-later']);
    expect(p.licenses?.deny?.source).toBe(`${file}:19`);
    expect(p.licenses?.unknown).toEqual({ value: 'fail', source: `${file}:20` });
    expect(p.licenses?.exceptions).toEqual([
      { rule: 'licenses.exceptions[0]', package: 'pkg:npm/caniuse-lite', reason: 'CC-BY-4.0 data, attribution in NOTICE', source: `${file}:22` },
    ]);
  });

  it('a minimal policy has no fail section (so --fail-on decides) and no licence rules', () => {
    const p = loadPolicy(fix('minimal.yaml'));
    expect(p).toEqual({ file: fix('minimal.yaml'), version: 1, ignore: [] });
  });

  it('licenses.unknown defaults to warn', () => {
    expect(parsePolicy('version: 1\nlicenses:\n  allow: [MIT]\n', 'p.yaml').licenses?.unknown.value).toBe('warn');
  });

  it.each`
    fixture                          | line | message
    ${'invalid-unknown-key.yaml'}    | ${4} | ${/fail: unknown key "sevrity"/}
    ${'invalid-no-reason.yaml'}      | ${3} | ${/ignore\[0\]: "reason" is required/}
    ${'invalid-no-expiry.yaml'}      | ${3} | ${/ignore\[0\]: "expires" is required/}
    ${'invalid-bad-date.yaml'}       | ${5} | ${/ignore\[0\]\.expires must be a date YYYY-MM-DD \(got "2027-02-30"\)/}
    ${'invalid-bad-spdx.yaml'}       | ${5} | ${/licenses\.allow\[1\]: "BSD" is not an SPDX licence identifier/}
    ${'invalid-wrong-type.yaml'}     | ${3} | ${/fail\.kev must be true or false \(got "yes"\)/}
    ${'invalid-severity.yaml'}       | ${3} | ${/fail\.severity must be one of critical, high, medium, low, any, none \(got "moderate"\)/}
  `('$fixture: one INPUT_PARSE line naming file:$line', ({ fixture, line, message }) => {
    const file = fix(fixture);
    let err: unknown;
    try {
      loadPolicy(file);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(VouchError);
    const v = err as VouchError;
    expect(v.code).toBe('INPUT_PARSE');
    expect(v.oneLine()).toMatch(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:${line}: `));
    expect(v.oneLine()).toMatch(message);
    expect(v.oneLine()).not.toContain('\n');
  });

  it.each`
    text                                                                     | line | message
    ${''}                                                                    | ${1} | ${/empty/}
    ${'- a\n- b\n'}                                                          | ${1} | ${/the policy must be a map/}
    ${'fail:\n  kev: true\n'}                                                | ${1} | ${/`version: 1` is missing/}
    ${'version: 2\n'}                                                        | ${1} | ${/version must be 1/}
    ${'version: 1\nversion: 1\n'}                                            | ${2} | ${/not valid YAML: .*unique/i}
    ${'version: 1\nfail: [high]\n'}                                          | ${2} | ${/fail must be a map/}
    ${'version: 1\nfail:\n  epss: 1.5\n'}                                    | ${3} | ${/fail\.epss must be a number from 0 to 1/}
    ${'version: 1\nfail:\n  epss:\n'}                                        | ${3} | ${/fail\.epss has no value/}
    ${'version: 1\nfail:\n  scopes: [prod, test]\n'}                         | ${3} | ${/unknown scope "test"/}
    ${'version: 1\nfail:\n  scopes: prod\n'}                                 | ${3} | ${/fail\.scopes must be a list/}
    ${'version: 1\nignore:\n  id: CVE-1\n'}                                  | ${3} | ${/ignore must be a list/}
    ${'version: 1\nignore:\n  - CVE-1\n'}                                    | ${3} | ${/ignore\[0\] must be a map/}
    ${'version: 1\nignore:\n  - id: CVE-1\n    reason: ""\n    expires: 2027-01-01\n'} | ${4} | ${/ignore\[0\]\.reason must not be empty/}
    ${'version: 1\nignore:\n  - id: CVE-1\n    reason: r\n    expires: 2027-1-1\n'}   | ${5} | ${/must be a date/}
    ${'version: 1\nignore:\n  - id: CVE-1\n    reason: r\n    expires: 2027-01-01\n    package: "npm/x"\n'} | ${6} | ${/ignore\[0\]\.package: invalid purl/}
    ${'version: 1\nignore:\n  - id: CVE-1\n    reason: r\n    expires: 2027-01-01\n    why: x\n'} | ${6} | ${/ignore\[0\]: unknown key "why"/}
    ${'version: 1\nlicenses:\n  allow: [MIT OR ISC]\n'}                      | ${3} | ${/licenses\.allow\[0\]: "MIT OR ISC" is an expression/}
    ${'version: 1\nlicenses:\n  deny: []\n'}                                 | ${3} | ${/licenses\.deny must not be empty/}
    ${'version: 1\nlicenses:\n  unknown: ignore\n'}                          | ${3} | ${/licenses\.unknown must be allow, warn or fail/}
    ${'version: 1\nlicenses:\n  exceptions:\n    - package: pkg:npm/a\n'}    | ${4} | ${/licenses\.exceptions\[0\]: "reason" is required/}
    ${'version: 1\nfail: {severity: high\n'}                                 | ${3} | ${/not valid YAML/}
  `('rejects $text', ({ text, line, message }) => {
    const e = parseError(text);
    expect(e.code).toBe('INPUT_PARSE');
    expect(e.oneLine()).toMatch(new RegExp(`^vouch\\.policy\\.yaml:${line}: `));
    expect(e.oneLine()).toMatch(message);
  });

  it('a missing file is INPUT_MISSING naming it', () => {
    expect(() => loadPolicy(fix('nope.yaml'))).toThrow(expect.objectContaining({ code: 'INPUT_MISSING', path: fix('nope.yaml') }));
  });
});

describe('findPolicyFile', () => {
  let tmp: string | undefined;
  afterEach(() => {
    if (tmp) rmSync(tmp, { recursive: true, force: true });
    tmp = undefined;
  });
  function dirs(...names: string[]): string[] {
    tmp = mkdtempSync(path.join(tmpdir(), 'vouch-policy-'));
    return names.map((n) => {
      const d = path.join(tmp!, n);
      mkdirSync(d, { recursive: true });
      return d;
    });
  }

  it('takes the first directory that has one; .yml works too', () => {
    const [cwd, a, b] = dirs('cwd', 'a', 'b');
    expect(findPolicyFile([cwd!, a!, b!])).toBeUndefined();
    writeFileSync(path.join(b!, 'vouch.policy.yml'), 'version: 1\n');
    expect(findPolicyFile([cwd!, a!, b!])).toBe(path.join(b!, 'vouch.policy.yml'));
    writeFileSync(path.join(cwd!, 'vouch.policy.yaml'), 'version: 1\n');
    expect(findPolicyFile([cwd!, a!, b!])).toBe(path.join(cwd!, 'vouch.policy.yaml'));
  });

  it('two different policies in input folders are ambiguous; the same one twice is not', () => {
    const [cwd, a, b] = dirs('cwd', 'a', 'b');
    writeFileSync(path.join(a!, 'vouch.policy.yaml'), 'version: 1\n');
    expect(findPolicyFile([cwd!, a!, a!])).toBe(path.join(a!, 'vouch.policy.yaml'));
    writeFileSync(path.join(b!, 'vouch.policy.yaml'), 'version: 1\n');
    expect(() => findPolicyFile([cwd!, a!, b!])).toThrow(/several policy files apply .*--policy/);
    writeFileSync(path.join(cwd!, 'vouch.policy.yaml'), 'version: 1\n');
    expect(findPolicyFile([cwd!, a!, b!])).toBe(path.join(cwd!, 'vouch.policy.yaml'));
  });

  it('returns the path as the folder was given, so "." gives a short source', () => {
    const [cwd] = dirs('cwd');
    writeFileSync(path.join(cwd!, 'vouch.policy.yaml'), 'version: 1\n');
    expect(findPolicyFile([path.relative(process.cwd(), cwd!)])).toBe(path.join(path.relative(process.cwd(), cwd!), 'vouch.policy.yaml'));
  });

  it('both names in one folder is an error', () => {
    const [cwd] = dirs('cwd');
    writeFileSync(path.join(cwd!, 'vouch.policy.yaml'), 'version: 1\n');
    writeFileSync(path.join(cwd!, 'vouch.policy.yml'), 'version: 1\n');
    expect(() => findPolicyFile([cwd!])).toThrow(/both vouch\.policy\.yaml and vouch\.policy\.yml exist/);
  });

  it('a folder named vouch.policy.yaml is not a policy', () => {
    const [cwd] = dirs('cwd');
    mkdirSync(path.join(cwd!, 'vouch.policy.yaml'));
    expect(findPolicyFile([cwd!])).toBeUndefined();
  });
});

describe('evaluatePolicy', () => {
  const log4shell = finding({
    id: 'GHSA-jfh8-c2jp-5v3q',
    aliases: ['CVE-2021-44228'],
    purl: 'pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1',
    ecosystem: 'Maven',
    severity: { rating: 'CRITICAL', score: 10 },
    kev: { cve: 'CVE-2021-44228', dateAdded: '2021-12-10', knownRansomwareUse: true },
    epss: { cve: 'CVE-2021-44228', score: 0.944, percentile: 0.99 },
  });
  const POLICY = `version: 1
fail:
  severity: high
  kev: true
  epss: 0.1
ignore:
  - id: CVE-2021-44228
    package: pkg:maven/org.apache.logging.log4j/log4j-core
    reason: JndiLookup removed
    expires: 2026-10-31
`;
  const p = parsePolicy(POLICY, 'vouch.policy.yaml');
  const report = { failOn: 'any' as const, findings: [log4shell] };

  it('an ignore rule suppresses by alias and package through its expiry day (UTC), inclusive', () => {
    const r = evaluatePolicy(p, report, [], new Date('2026-10-31T23:59:59Z'));
    expect(r.suppress(log4shell)).toEqual({
      by: 'ignore',
      status: 'ignored',
      justification: 'JndiLookup removed',
      source: 'vouch.policy.yaml:7',
      expires: '2026-10-31',
    });
    expect(r.failed).toBe(false);
    expect(r.violations).toEqual([]);
  });

  it('the day after, the rule suppresses nothing and fails loudly, and the finding fails again', () => {
    const r = evaluatePolicy(p, report, [], new Date('2026-11-01T00:00:00Z'));
    expect(r.suppress(log4shell)).toBeUndefined();
    expect(r.failed).toBe(true);
    expect(r.violations[0]).toMatchObject({ rule: 'ignore[0]', level: 'fail', id: 'CVE-2021-44228', source: 'vouch.policy.yaml:7' });
    expect(r.violations[0]!.message).toMatch(/^ignore rule for CVE-2021-44228 \(pkg:maven\/org\.apache\.logging\.log4j\/log4j-core\) expired on 2026-10-31/);
    expect(r.violations[1]).toMatchObject({ rule: 'fail.kev', level: 'fail', id: 'GHSA-jfh8-c2jp-5v3q', purl: log4shell.purl, source: 'vouch.policy.yaml:4' });
    expect(r.violations[1]!.message).toBe(
      'GHSA-jfh8-c2jp-5v3q in pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1: in CISA KEV (CVE-2021-44228, added 2021-12-10); EPSS 0.944 >= 0.1; severity CRITICAL >= high',
    );
    expect(renderPolicyResult(r)).toBe(
      [
        'vouch.policy.yaml:7: FAIL ignore[0]: ignore rule for CVE-2021-44228 (pkg:maven/org.apache.logging.log4j/log4j-core) expired on 2026-10-31; renew it with a new date or remove it',
        `vouch.policy.yaml:4: FAIL fail.kev: ${r.violations[1]!.message}`,
        'policy failed: 2 violation(s), 0 warning(s)',
        '',
      ].join('\n'),
    );
  });

  it('a rule for another package does not suppress; a rule matching nothing is a stale warning', () => {
    const other = finding({ id: 'GHSA-jfh8-c2jp-5v3q', aliases: ['CVE-2021-44228'], purl: 'pkg:maven/org.apache.logging.log4j/log4j-api@2.14.1', severity: { rating: 'LOW' } });
    const r = evaluatePolicy(p, { failOn: 'any', findings: [other] }, [], new Date('2026-01-01T00:00:00Z'));
    expect(r.suppress(other)).toBeUndefined();
    expect(r.failed).toBe(false); // LOW, not in KEV, no EPSS: under every threshold
    expect(r.violations).toEqual([
      {
        rule: 'ignore[0]',
        level: 'warn',
        message: 'ignore rule for CVE-2021-44228 (pkg:maven/org.apache.logging.log4j/log4j-core) matches no finding (stale? remove it)',
        id: 'CVE-2021-44228',
        purl: 'pkg:maven/org.apache.logging.log4j/log4j-core',
        source: 'vouch.policy.yaml:7',
      },
    ]);
    expect(renderPolicyResult(r)).toMatch(/policy passed with 1 warning\(s\)\n$/);
  });

  it('an ignore without package matches the id in every package, by id, ids or alias, any case', () => {
    const q = parsePolicy('version: 1\nignore:\n  - id: cve-2021-44228\n    reason: r\n    expires: 2099-01-01\n  - id: GHSA-OTHER\n    reason: r\n    expires: 2099-01-01\n', 'p.yaml');
    const merged = finding({ id: 'GHSA-X', ids: ['GHSA-X', 'GHSA-OTHER'], purl: 'pkg:npm/a@1.0.0' });
    const r = evaluatePolicy(q, { failOn: 'any', findings: [log4shell, merged] }, []);
    expect(r.suppress(log4shell)?.source).toBe('p.yaml:3');
    expect(r.suppress(merged)?.source).toBe('p.yaml:6');
    expect(r.failed).toBe(false);
  });

  it.each`
    fail                                  | f                                                                                       | failed   | rule
    ${'severity: high'}                   | ${{ severity: { rating: 'HIGH' } }}                                                     | ${true}  | ${'fail.severity'}
    ${'severity: high'}                   | ${{ severity: { rating: 'MEDIUM' } }}                                                   | ${false} | ${undefined}
    ${'severity: critical'}               | ${{ severity: { rating: 'UNKNOWN' } }}                                                  | ${true}  | ${'fail.severity'}
    ${'severity: none'}                   | ${{ severity: { rating: 'CRITICAL' } }}                                                 | ${false} | ${undefined}
    ${'severity: any'}                    | ${{ severity: { rating: 'NONE' } }}                                                     | ${true}  | ${'fail.severity'}
    ${'kev: true'}                        | ${{ severity: { rating: 'LOW' } }}                                                      | ${false} | ${undefined}
    ${'kev: false'}                       | ${{ kev: { cve: 'CVE-1', dateAdded: '2024-01-01', knownRansomwareUse: false } }}         | ${false} | ${undefined}
    ${'epss: 0.1'}                        | ${{ epss: { cve: 'CVE-1', score: 0.1, percentile: 0.5 } }}                              | ${true}  | ${'fail.epss'}
    ${'epss: 0.1'}                        | ${{ epss: { cve: 'CVE-1', score: 0.09, percentile: 0.5 } }}                             | ${false} | ${undefined}
    ${'epss: 0.1'}                        | ${{}}                                                                                   | ${false} | ${undefined}
    ${'epssPercentile: 0.9'}              | ${{ epss: { cve: 'CVE-1', score: 0.01, percentile: 0.95 } }}                            | ${true}  | ${'fail.epssPercentile'}
    ${'{severity: low, scopes: [prod]}'}  | ${{ scope: 'dev', severity: { rating: 'CRITICAL' } }}                                   | ${false} | ${undefined}
    ${'{severity: low, scopes: [prod]}'}  | ${{ scope: 'prod', severity: { rating: 'LOW' } }}                                       | ${true}  | ${'fail.severity'}
    ${'{}'}                               | ${{ severity: { rating: 'CRITICAL' } }}                                                 | ${false} | ${undefined}
  `('fail: $fail → failed $failed', ({ fail, f, failed, rule }) => {
    const text = fail.startsWith('{') ? `version: 1\nfail: ${fail}\n` : `version: 1\nfail:\n  ${fail}\n`;
    const q = parsePolicy(text, 'p.yaml');
    const r = evaluatePolicy(q, { failOn: 'any', findings: [finding({ id: 'GHSA-1', purl: 'pkg:npm/a@1.0.0', ...f })] }, []);
    expect(r.failed).toBe(failed);
    expect(r.violations[0]?.rule).toBe(rule);
  });

  it('UNKNOWN severity says it counts as failing', () => {
    const q = parsePolicy('version: 1\nfail:\n  severity: critical\n', 'p.yaml');
    const r = evaluatePolicy(q, { failOn: 'any', findings: [finding({ id: 'GHSA-1', purl: 'pkg:npm/a@1.0.0', severity: { rating: 'UNKNOWN' } })] }, []);
    expect(r.violations[0]!.message).toBe('GHSA-1 in pkg:npm/a@1.0.0: severity UNKNOWN (counts as failing)');
  });

  it('without a fail section the report\'s --fail-on decides', () => {
    const q = parsePolicy('version: 1\n', 'p.yaml');
    const low = finding({ id: 'GHSA-1', purl: 'pkg:npm/a@1.0.0', severity: { rating: 'LOW' } });
    expect(evaluatePolicy(q, { failOn: 'HIGH', findings: [low] }, []).failed).toBe(false);
    const r = evaluatePolicy(q, { failOn: 'LOW', findings: [low] }, []);
    expect(r.violations).toEqual([
      { rule: '--fail-on', level: 'fail', message: 'GHSA-1 in pkg:npm/a@1.0.0: severity LOW meets --fail-on low', id: 'GHSA-1', purl: 'pkg:npm/a@1.0.0', source: '--fail-on' },
    ]);
    expect(evaluatePolicy(q, { failOn: 'none', findings: [low] }, []).failed).toBe(false);
    expect(evaluatePolicy(q, { failOn: 'any', findings: [low] }, []).failed).toBe(true);
  });

  it('findings suppressed by VEX do not fail, and keep an ignore rule from being stale', () => {
    const vexed = { ...log4shell, suppressed: { by: 'vex' as const, status: 'not_affected', source: 'app.vex.json' } };
    const r = evaluatePolicy(p, { failOn: 'any', findings: [vexed] }, [], new Date('2026-01-01T00:00:00Z'));
    expect(r.failed).toBe(false);
    expect(r.violations).toEqual([]);
  });
});

describe('evaluatePolicy: licences', () => {
  const p = parsePolicy(
    `version: 1
licenses:
  allow: [MIT, ISC]
  unknown: warn
  exceptions:
    - package: pkg:npm/caniuse-lite
      reason: CC-BY-4.0 data
`,
    'vouch.policy.yaml',
  );
  const components = [
    { purl: 'pkg:npm/a@1.0.0', licenses: ['MIT'] },
    { purl: 'pkg:npm/b@1.0.0', licenses: ['MIT AND GPL-3.0-only'] },
    { purl: 'pkg:npm/c@1.0.0', licenses: ['BSD'] },
    { purl: 'pkg:npm/d@1.0.0' },
    { purl: 'pkg:npm/caniuse-lite@1.0.30001', licenses: ['CC-BY-4.0'] },
    { purl: 'pkg:npm/b@1.0.0', licenses: ['MIT AND GPL-3.0-only'] },
  ];

  it('fails a licence outside the allow list, warns on unknown ones, honours exceptions, once per purl', () => {
    const r = evaluatePolicy(p, { failOn: 'none', findings: [] }, components);
    expect(r.failed).toBe(true);
    expect(r.violations).toEqual([
      {
        rule: 'licenses.allow',
        level: 'fail',
        message: 'pkg:npm/b@1.0.0: licence MIT AND GPL-3.0-only is not allowed (GPL-3.0-only not in the allow list)',
        purl: 'pkg:npm/b@1.0.0',
        source: 'vouch.policy.yaml:3',
      },
      {
        rule: 'licenses.unknown',
        level: 'warn',
        message: 'pkg:npm/c@1.0.0: unknown licence: "BSD" is not an SPDX licence expression',
        purl: 'pkg:npm/c@1.0.0',
        source: 'vouch.policy.yaml:4',
      },
      { rule: 'licenses.unknown', level: 'warn', message: 'pkg:npm/d@1.0.0: unknown licence: no licence data', purl: 'pkg:npm/d@1.0.0', source: 'vouch.policy.yaml:4' },
    ]);
  });

  it('a licence exception matching no component is a stale warning', () => {
    const r = evaluatePolicy(p, { failOn: 'none', findings: [] }, [{ purl: 'pkg:npm/a@1.0.0', licenses: ['MIT'] }]);
    expect(r.failed).toBe(false);
    expect(r.violations).toEqual([
      {
        rule: 'licenses.exceptions[0]',
        level: 'warn',
        message: 'licence exception for pkg:npm/caniuse-lite matches no component (stale? remove it)',
        purl: 'pkg:npm/caniuse-lite',
        source: 'vouch.policy.yaml:6',
      },
    ]);
  });

  it('unknown: fail makes unknown licences fail; allow keeps them quiet', () => {
    const fail = parsePolicy('version: 1\nlicenses:\n  allow: [MIT]\n  unknown: fail\n', 'p.yaml');
    const r = evaluatePolicy(fail, { failOn: 'none', findings: [] }, [{ purl: 'pkg:npm/d@1.0.0' }]);
    expect(r.failed).toBe(true);
    expect(r.violations[0]).toMatchObject({ rule: 'licenses.unknown', level: 'fail' });
    const allow = parsePolicy('version: 1\nlicenses:\n  allow: [MIT]\n  unknown: allow\n', 'p.yaml');
    expect(evaluatePolicy(allow, { failOn: 'none', findings: [] }, [{ purl: 'pkg:npm/d@1.0.0' }]).violations).toEqual([]);
  });

  it('a deny list names the denied licence and its own line', () => {
    const q = loadPolicy(fix('deny-only.yml'));
    const r = evaluatePolicy(q, { failOn: 'none', findings: [] }, [
      { purl: 'pkg:npm/a@1.0.0', licenses: ['MIT OR GPL-3.0-only'] },
      { purl: 'pkg:npm/b@1.0.0', licenses: ['AGPL-3.0-only'] },
      { purl: 'pkg:npm/c@1.0.0', licenses: ['LicenseRef-x'] },
    ]);
    expect(r.violations).toEqual([
      {
        rule: 'licenses.deny',
        level: 'fail',
        message: 'pkg:npm/b@1.0.0: licence AGPL-3.0-only is denied (AGPL-3.0-only)',
        purl: 'pkg:npm/b@1.0.0',
        source: `${fix('deny-only.yml')}:5`,
      },
    ]);
  });

  it('without a licenses section no licence is checked', () => {
    const q = parsePolicy('version: 1\n', 'p.yaml');
    expect(evaluatePolicy(q, { failOn: 'none', findings: [] }, components).violations).toEqual([]);
  });

  it('renderPolicyResult shows ten lines per rule, then a count', () => {
    const many = Array.from({ length: 13 }, (_, i) => ({ purl: `pkg:npm/x${i}@1.0.0` }));
    many.push({ purl: 'pkg:npm/caniuse-lite@1.0.30001600' });
    const out = renderPolicyResult(evaluatePolicy(p, { failOn: 'none', findings: [] }, many));
    const lines = out.trimEnd().split('\n');
    expect(lines).toHaveLength(12);
    expect(lines[0]).toBe('vouch.policy.yaml:4: warn licenses.unknown: pkg:npm/x0@1.0.0: unknown licence: no licence data');
    expect(lines[10]).toBe('... and 3 more warning licenses.unknown violation(s)');
    expect(lines[11]).toBe('policy passed with 13 warning(s)');
    expect(renderPolicyResult(evaluatePolicy(p, { failOn: 'none', findings: [] }, many), { all: true }).trimEnd().split('\n')).toHaveLength(14);
  });
});

describe('checkFailOnConflict', () => {
  it('an explicit --fail-on beside a fail section is a usage error; otherwise fine', () => {
    const withFail = parsePolicy('version: 1\nfail:\n  kev: true\n', 'p.yaml');
    const without = parsePolicy('version: 1\n', 'p.yaml');
    expect(() => checkFailOnConflict(withFail, true)).toThrow(expect.objectContaining({ code: 'USAGE', message: expect.stringMatching(/fail section of p\.yaml:2/) }));
    expect(() => checkFailOnConflict(withFail, false)).not.toThrow();
    expect(() => checkFailOnConflict(without, true)).not.toThrow();
  });
});

describe('bad input never crashes', () => {
  it('every line of the full example dropped, or its value replaced by odd YAML, gives a policy or one INPUT_PARSE line', () => {
    const lines = readFileSync(fix('full.yaml'), 'utf8').split('\n');
    const variants: string[] = [];
    lines.forEach((line, i) => {
      variants.push([...lines.slice(0, i), ...lines.slice(i + 1)].join('\n'));
      const m = /^(\s*(?:- )?[A-Za-z]+:)\s*\S/.exec(line);
      if (m) for (const odd of ['[]', '{}', '~', '*nope', '[1, {a: b}]', '12', 'yes', '"\\u0000"', '!!binary aGVsbG8=']) variants.push([...lines.slice(0, i), `${m[1]} ${odd}`, ...lines.slice(i + 1)].join('\n'));
    });
    let rejected = 0;
    for (const text of variants) {
      try {
        parsePolicy(text, 'p.yaml');
      } catch (e) {
        expect(e).toBeInstanceOf(VouchError);
        expect((e as VouchError).code).toBe('INPUT_PARSE');
        expect((e as VouchError).oneLine()).toMatch(/^p\.yaml:\d+: \S/);
        rejected++;
      }
    }
    expect(rejected).toBeGreaterThan(variants.length / 2);
  });
});

describe('ignoreSuppressor + the verdict', () => {
  it('suppresses what unexpired ignore rules match; the policy decides the verdict on what is left', () => {
    const q = parsePolicy('version: 1\nfail:\n  severity: high\nignore:\n  - id: CVE-1\n    reason: not reachable\n    expires: 2099-12-31\n', 'vouch.policy.yaml');
    const now = new Date('2030-01-01T00:00:00Z');
    const suppress = ignoreSuppressor(q, now);
    const ignored = finding({ id: 'GHSA-a', aliases: ['CVE-1'], purl: 'pkg:npm/a@1.0.0' });
    const open = finding({ id: 'GHSA-c', purl: 'pkg:npm/c@1.0.0', severity: { rating: 'MEDIUM' } });
    expect(suppress(ignored)).toEqual({ by: 'ignore', status: 'ignored', justification: 'not reachable', source: 'vouch.policy.yaml:5', expires: '2099-12-31' });
    expect(suppress(open)).toBeUndefined();
    // the HIGH finding is ignored, the MEDIUM one is below the fail severity: the policy passes
    const findings = [{ ...ignored, suppressed: suppress(ignored) }, open];
    expect(evaluatePolicy(q, { failOn: 'any', findings }, [], now).failed).toBe(false);
    // after the rule expires it suppresses nothing, and the expired rule itself fails
    expect(ignoreSuppressor(q, new Date('2100-01-02T00:00:00Z'))(ignored)).toBeUndefined();
  });
});
