import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { VouchError } from '../model/errors.js';
import { httpsOnly, parseFundingJson, parseFundingYml, readFunding } from './funding.js';
import { parseVolunteers } from './volunteers.js';

const tmp = mkdtempSync(path.join(tmpdir(), 'vouch-market-files-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function oneLine(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    if (e instanceof VouchError) return e.oneLine();
    throw e;
  }
  throw new Error('did not throw');
}

const FUNDING_JSON = {
  version: 'v1.0.0',
  entity: { type: 'individual', role: 'maintainer', name: 'Alice', email: 'alice@example.org', description: 'I maintain mylib.', webpageUrl: { url: 'https://example.org' } },
  projects: [],
  funding: {
    channels: [
      { guid: 'mybank', type: 'bank', address: 'Account 12345' },
      { guid: 'pay', type: 'payment-provider', address: 'https://pay.example.org/alice' },
      { guid: 'old', type: 'payment-provider', address: 'http://pay.example.org/alice' },
    ],
    plans: [{ guid: 'monthly', status: 'active', name: 'Monthly support', amount: 500, currency: 'EUR', frequency: 'monthly', channels: ['mybank', 'pay'] }],
  },
};

describe('funding files', () => {
  it('FUNDING.yml: platform accounts become their https pages; custom links only when https:', () => {
    const f = parseFundingYml('github: [alice, bob]\nopen_collective: mylib\ncustom: ["https://example.org/donate", "http://insecure.example/give", "javascript:alert(1)"]\n', 'FUNDING.yml');
    expect(f.channels.map((c) => c.url ?? c.account)).toEqual([
      'https://github.com/sponsors/alice',
      'https://github.com/sponsors/bob',
      'https://opencollective.com/mylib',
      'https://example.org/donate',
      '(link not shown: not an https: URL)',
      '(link not shown: not an https: URL)',
    ]);
  });
  it.each([
    ['github: [alice\n', /^FUNDING\.yml:\d+: not valid YAML/],
    ['github: alice\npaypal: me\n', /^FUNDING\.yml:2: unknown funding platform "paypal"/],
    ['github: alice\nko_fi: "a b"\n', /^FUNDING\.yml:2: ko_fi: "a b" is not an account name/],
  ])('a malformed FUNDING.yml is one line naming file and line: %j', (text, re) => {
    expect(oneLine(() => parseFundingYml(text, 'FUNDING.yml'))).toMatch(re);
  });
  it('funding.json (floss.fund v1): channels and plans, payment URLs only when https:', () => {
    const f = parseFundingJson(JSON.stringify(FUNDING_JSON), 'funding.json');
    expect(f.channels.map((c) => [c.account, c.url])).toEqual([
      ['mybank: Account 12345', undefined],
      ['pay: https://pay.example.org/alice', 'https://pay.example.org/alice'],
      ['old: (link not shown: not an https: URL)', undefined],
    ]);
    expect(f.plans).toEqual([{ name: 'Monthly support', amount: 500, currency: 'EUR', frequency: 'monthly', status: 'active', source: 'funding.json' }]);
  });
  it.each([
    [(d: typeof FUNDING_JSON) => ({ ...d, version: 'v2.0.0' }), 'funding.json ($.version): version must be a v1'],
    [(d: typeof FUNDING_JSON) => ({ ...d, funding: { ...d.funding, plans: [{ ...d.funding.plans[0]!, currency: 'eur' }] } }), 'funding.json ($.funding.plans[0].currency): currency must be a three-letter'],
    [(d: typeof FUNDING_JSON) => ({ ...d, funding: { ...d.funding, plans: [{ ...d.funding.plans[0]!, channels: ['nope'] }] } }), 'funding.json ($.funding.plans[0].channels[0]): "nope" is not the guid of a channel'],
  ])('a malformed funding.json is one line naming file and JSON path (%#)', (change, prefix) => {
    expect(oneLine(() => parseFundingJson(JSON.stringify(change(FUNDING_JSON)), 'funding.json'))).toContain(prefix);
  });
  it('not JSON at all: the line', () => {
    expect(oneLine(() => parseFundingJson('{\n  "version": "v1.0.0",\n  oops\n}', 'funding.json'))).toMatch(/^funding\.json:3: not valid JSON/);
  });
  it('readFunding: a malformed file is a warning and skipped, the others are read; symlinks are not followed', async () => {
    const clone = path.join(tmp, 'clone');
    mkdirSync(path.join(clone, '.github'), { recursive: true });
    writeFileSync(path.join(clone, '.github', 'FUNDING.yml'), 'github: alice\n');
    writeFileSync(path.join(clone, 'funding.json'), JSON.stringify({ ...FUNDING_JSON, funding: { channels: 'x', plans: [] } }));
    symlinkSync('/etc/passwd', path.join(clone, 'FUNDING.yml'));
    const warnings: string[] = [];
    const f = await readFunding(clone, warnings);
    expect(f!.channels.map((c) => c.url)).toEqual(['https://github.com/sponsors/alice']);
    expect(warnings).toEqual([`${path.join(clone, 'funding.json')} ($.funding.channels): funding.channels must be an array`]);
    expect(await readFunding(path.join(tmp, 'nothing-here'), [])).toBeUndefined();
  });
  it.each([
    ['https://a.example/x', 'https://a.example/x'],
    ['http://a.example/x', undefined],
    ['HTTPS://A.EXAMPLE', 'https://a.example/'],
    ['//a.example', undefined],
    ['file:///etc/passwd', undefined],
  ])('httpsOnly(%s)', (raw, expected) => {
    expect(httpsOnly(raw)).toBe(expected);
  });
});

describe('the volunteers file', () => {
  const GOOD = `volunteers:
  - name: Ada
    company: Acme
    languages: [JavaScript, TypeScript]
    ecosystems: [npm]
    skills: [ci-security, security-policy]
    hours_per_month: 10
    interests: [npm/mylib]
  - name: Bo
    skills: [fuzzing]
    languages: [Go]
    hours_per_month: 0
pledges:
  - company: Acme
    quarter: 2026Q4
    hours: 120
`;
  it('reads volunteers and pledges', () => {
    const f = parseVolunteers(GOOD, 'volunteers.yaml');
    expect(f.volunteers).toEqual([
      { name: 'Ada', company: 'Acme', languages: ['JavaScript', 'TypeScript'], ecosystems: ['npm'], skills: ['ci-security', 'security-policy'], domains: [], hoursPerMonth: 10, interests: ['npm/mylib'], line: 2 },
      { name: 'Bo', languages: ['Go'], ecosystems: [], skills: ['fuzzing'], domains: [], hoursPerMonth: 0, interests: [], line: 9 },
    ]);
    expect(f.pledges).toEqual([{ company: 'Acme', quarter: '2026Q4', hours: 120, line: 14 }]);
  });
  it.each([
    [GOOD.replace('hours_per_month: 10', 'hours_per_mnth: 10'), /^v\.yaml:7: unknown key "hours_per_mnth"/],
    [GOOD.replace('hours_per_month: 10', 'hours_per_month: lots'), /^v\.yaml:7: hours_per_month must be a number from 0 to 744/],
    [GOOD.replace('[ci-security, security-policy]', '[ci-security, kernel-hacking]'), /^v\.yaml:6: unknown skill "kernel-hacking"/],
    [GOOD.replace('quarter: 2026Q4', 'quarter: Q4 2026'), /^v\.yaml:15: quarter must look like 2026Q4/],
    [GOOD.replace('name: Bo', 'name: Ada'), /^v\.yaml:9: volunteer "Ada" is listed twice/],
    ['volunteers: [\n', /^v\.yaml:\d+: not valid YAML/],
  ])('a malformed volunteers file is one line naming file and line (%#)', (text, re) => {
    expect(oneLine(() => parseVolunteers(text, 'v.yaml'))).toMatch(re);
  });
  it('an empty file has no volunteers (not an error)', () => {
    expect(parseVolunteers('', 'v.yaml')).toEqual({ volunteers: [], pledges: [] });
  });
});
