import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { VouchError } from '../../model/errors.js';
import { HAS_SHARED, shared } from '../../testing/shared.js';
import { CDX_JUSTIFICATION_MAP, readCycloneDxVexJson } from './cyclonedx.js';
import { matchingStatements, vexFor } from './match.js';
import { parseVex, readVexFile } from './read.js';

const fixture = (name: string): string => path.join(import.meta.dirname, '__fixtures__', name);

describe('CycloneDX VEX reader', () => {
  it('resolves bom-refs (nested too) and BOM-Links to purls, maps states and justifications, keeps the original justification', async () => {
    const file = fixture('app.vex.cdx.json');
    const doc = await readVexFile(file);
    expect(doc.format).toBe('cyclonedx');
    expect(doc.formatVersion).toBe('1.5');
    expect(doc.statements).toEqual([
      {
        vulnerability: { id: 'CVE-2021-44228', aliases: ['GHSA-jfh8-c2jp-5v3q'] },
        products: ['pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1'],
        subcomponents: [],
        status: 'not_affected',
        justification: 'vulnerable_code_cannot_be_controlled_by_adversary',
        impactStatement: 'CycloneDX justification: requires_environment. Runs only on Java 8u191+ with trustURLCodebase off',
        timestamp: '2024-05-03T00:00:00Z',
        source: `${file} ($.vulnerabilities[0])`,
      },
      {
        vulnerability: { id: 'CVE-2021-23337', aliases: [] },
        // the versionless purl with a version list: only the listed affected version and range
        products: ['pkg:npm/lodash@4.17.20'],
        subcomponents: [],
        versionRanges: [{ purl: 'pkg:npm/lodash', range: 'vers:npm/<4.17.21' }],
        status: 'affected',
        actionStatement: 'response: update. Upgrade lodash to 4.17.21',
        timestamp: '2024-05-01T00:00:00Z',
        source: `${file} ($.vulnerabilities[1])`,
      },
      {
        vulnerability: { id: 'CVE-2020-8203', aliases: [] },
        products: ['pkg:npm/lodash@4.17.20', 'pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1'],
        subcomponents: [],
        status: 'false_positive',
        impactStatement: 'zipObjectDeep is not in this build',
        timestamp: '2024-05-01T00:00:00Z',
        source: `${file} ($.vulnerabilities[2])`,
      },
    ]);
    expect(doc.warnings).toEqual([
      `${file} ($.vulnerabilities[1].affects[0].versions[2]): status "unaffected" disagrees with the analysis state "exploitable"; ignored`,
      `${file} ($.vulnerabilities[1].affects[0].versions[3]): version range "vers:generic/>=1|<2" uses the scheme "generic", which vouch has no version order for; the statement does not cover it`,
      `${file} ($.vulnerabilities[3]): CVE-2019-10744 has no analysis; not a VEX statement`,
    ]);
  });

  it('a version range of a versionless purl: the statement covers the versions in it, and only those', () => {
    const doc = readCycloneDxVexJson(
      {
        bomFormat: 'CycloneDX',
        specVersion: '1.6',
        vulnerabilities: [
          {
            id: 'CVE-2021-44228',
            analysis: { state: 'not_affected', justification: 'code_not_present' },
            affects: [
              {
                ref: 'pkg:maven/org.apache.logging.log4j/log4j-core',
                versions: [
                  { range: 'vers:maven/>=2.0|<2.10.0', status: 'unaffected' },
                  { range: 'vers:maven/not|valid|', status: 'unaffected' },
                ],
              },
            ],
          },
        ],
      },
      'r.json',
    );
    expect(doc.statements[0]!.versionRanges).toEqual([{ purl: 'pkg:maven/org.apache.logging.log4j/log4j-core', range: 'vers:maven/>=2.0|<2.10.0' }]);
    expect(doc.warnings).toEqual([
      'r.json ($.vulnerabilities[0].affects[0].versions[1]): version range "vers:maven/not|valid|" is not valid (empty constraint (a leading, trailing or doubled "|")); the statement does not cover it',
    ]);
    const f = (v: string) => ({ purl: `pkg:maven/org.apache.logging.log4j/log4j-core@${v}`, id: 'GHSA-jfh8-c2jp-5v3q', aliases: ['CVE-2021-44228'] });
    expect(vexFor(doc.statements, f('2.9.1'))).toMatchObject({ status: 'not_affected', justification: 'vulnerable_code_not_present' });
    expect(vexFor(doc.statements, f('2.0'))).toBeDefined();
    expect(vexFor(doc.statements, f('2.10.0'))).toBeUndefined();
    expect(vexFor(doc.statements, f('2.14.1'))).toBeUndefined();
    expect(vexFor(doc.statements, f('1.2.17'))).toBeUndefined();
    expect(matchingStatements(doc.statements, f('2.9.1'))[0]!.product).toBe('pkg:maven/org.apache.logging.log4j/log4j-core vers:maven/>=2.0|<2.10.0');
    expect(vexFor(doc.statements, { ...f('2.9.1'), purl: 'pkg:maven/org.apache.logging.log4j/log4j-api@2.9.1' })).toBeUndefined();
  });

  it.each([
    ['code_not_present', 'vulnerable_code_not_present'],
    ['code_not_reachable', 'vulnerable_code_not_in_execute_path'],
    ['requires_configuration', 'vulnerable_code_not_in_execute_path'],
    ['requires_dependency', 'component_not_present'],
    ['requires_environment', 'vulnerable_code_cannot_be_controlled_by_adversary'],
    ['protected_by_compiler', 'inline_mitigations_already_exist'],
    ['protected_at_runtime', 'inline_mitigations_already_exist'],
    ['protected_at_perimeter', 'vulnerable_code_cannot_be_controlled_by_adversary'],
    ['protected_by_mitigating_control', 'inline_mitigations_already_exist'],
  ])('justification %s → %s', (cdx, openvex) => {
    expect(CDX_JUSTIFICATION_MAP[cdx]).toBe(openvex);
    const doc = readCycloneDxVexJson(
      { bomFormat: 'CycloneDX', specVersion: '1.6', vulnerabilities: [{ id: 'CVE-1', analysis: { state: 'not_affected', justification: cdx }, affects: [{ ref: 'pkg:npm/a@1' }] }] },
      'j.json',
    );
    expect(doc.statements[0]!.justification).toBe(openvex);
  });

  it.each([
    ['not_affected', 'not_affected'],
    ['false_positive', 'false_positive'],
    ['resolved', 'fixed'],
    ['resolved_with_pedigree', 'fixed'],
    ['exploitable', 'affected'],
    ['in_triage', 'under_investigation'],
  ])('state %s → %s', (state, status) => {
    const doc = readCycloneDxVexJson({ bomFormat: 'CycloneDX', vulnerabilities: [{ id: 'CVE-1', analysis: { state }, affects: [{ ref: 'pkg:npm/a@1' }] }] }, 's.json');
    expect(doc.statements[0]!.status).toBe(status);
  });

  it.each([
    ['vulnerabilities not a list', { vulnerabilities: {} }, '$.vulnerabilities', 'expected a list of vulnerabilities'],
    ['a vulnerability without id', { vulnerabilities: [{ analysis: { state: 'resolved' } }] }, '$.vulnerabilities[0].id', 'expected the vulnerability id'],
    ['an unknown state', { vulnerabilities: [{ id: 'CVE-1', analysis: { state: 'fine' } }] }, '$.vulnerabilities[0].analysis.state', 'invalid analysis state "fine" (allowed: not_affected, false_positive, resolved, resolved_with_pedigree, exploitable, in_triage)'],
    ['an unknown justification', { vulnerabilities: [{ id: 'CVE-1', analysis: { state: 'not_affected', justification: 'trust_me' } }] }, '$.vulnerabilities[0].analysis.justification', 'invalid analysis justification "trust_me"'],
    ['a state named like an Object property', { vulnerabilities: [{ id: 'CVE-1', analysis: { state: 'toString' } }] }, '$.vulnerabilities[0].analysis.state', 'invalid analysis state "toString"'],
    ['a justification named like an Object property', { vulnerabilities: [{ id: 'CVE-1', analysis: { state: 'not_affected', justification: '__proto__' } }] }, '$.vulnerabilities[0].analysis.justification', 'invalid analysis justification "__proto__"'],
    ['affects not a list', { vulnerabilities: [{ id: 'CVE-1', analysis: { state: 'resolved' }, affects: 'x' }] }, '$.vulnerabilities[0].affects', 'expected a list'],
    ['an affects entry without ref', { vulnerabilities: [{ id: 'CVE-1', analysis: { state: 'resolved' }, affects: [{}] }] }, '$.vulnerabilities[0].affects[0]', 'expected an object with a "ref"'],
  ])('fails on %s with the JSON path', (_l, body, jsonPath, message) => {
    let err: unknown;
    try {
      readCycloneDxVexJson({ bomFormat: 'CycloneDX', specVersion: '1.6', ...body }, 'bad.cdx.json');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(VouchError);
    expect((err as VouchError).code).toBe('INPUT_PARSE');
    expect((err as VouchError).position?.jsonPath).toBe(jsonPath);
    expect((err as VouchError).message).toContain(message);
  });

  it('refuses an SBOM without vulnerabilities as not VEX', () => {
    expect(() => parseVex('{"bomFormat":"CycloneDX","specVersion":"1.6","components":[]}', 'sbom.json')).toThrow(/without vulnerabilities\[\] is not a VEX document/);
  });

  it('reads XML, and names the element of a bad value', () => {
    const xml = `<?xml version="1.0"?>
<bom xmlns="http://cyclonedx.org/schema/bom/1.5" version="1">
  <components><component type="library" bom-ref="lib"><name>a</name><purl>pkg:npm/a@1.0.0</purl></component></components>
  <vulnerabilities>
    <vulnerability><id>CVE-2024-1</id><analysis><state>resolved</state></analysis><affects><target><ref>lib</ref></target></affects></vulnerability>
    <vulnerability><id>CVE-2024-2</id><analysis><state>nope</state></analysis></vulnerability>
  </vulnerabilities>
</bom>`;
    try {
      parseVex(xml, 'v.xml');
      throw new Error('expected an error');
    } catch (e) {
      expect((e as VouchError).oneLine()).toBe(
        'v.xml (/bom/vulnerabilities/vulnerability[2]/analysis/state): invalid analysis state "nope" (allowed: not_affected, false_positive, resolved, resolved_with_pedigree, exploitable, in_triage)',
      );
    }
    const ranged = parseVex(
      xml.replace('<ref>lib</ref></target>', '<ref>pkg:npm/a</ref><versions><version><range>vers:npm/&lt;2</range><status>affected</status></version></versions></target>').replace('<state>nope</state>', '<state>resolved</state>'),
      'v.xml',
    );
    expect(ranged.warnings).toEqual([
      'v.xml (/bom/vulnerabilities/vulnerability[1]/affects/target[1]/versions/version[1]): status "affected" disagrees with the analysis state "resolved"; ignored',
      'v.xml (/bom/vulnerabilities/vulnerability[1]): CVE-2024-1 affects no product; it applies to nothing',
      'v.xml (/bom/vulnerabilities/vulnerability[2]): CVE-2024-2 affects no product; it applies to nothing',
    ]);
    const good = parseVex(xml.replace(/<vulnerability><id>CVE-2024-2.*<\/vulnerability>\n/, ''), 'v.xml');
    expect(good.statements).toEqual([
      { vulnerability: { id: 'CVE-2024-1', aliases: [] }, products: ['pkg:npm/a@1.0.0'], subcomponents: [], status: 'fixed', source: 'v.xml (/bom/vulnerabilities/vulnerability[1])' },
    ]);
    expect(() => parseVex('<bom xmlns="http://cyclonedx.org/schema/bom/1.5"><x></bom>', 'broken.xml')).toThrow(/not valid XML/);
  });
});

function vexExamples(): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const e of readdirSync(d)) {
      const p = path.join(d, e);
      if (statSync(p).isDirectory()) walk(p);
      else if (/^vex.*\.json$/.test(e)) out.push(p);
    }
  };
  walk(shared('conformance', 'cyclonedx', 'bom-examples', 'VEX'));
  return out.sort();
}

describe.skipIf(!HAS_SHARED)('CycloneDX VEX examples (../shared/conformance/cyclonedx)', () => {
  const cdx = (...p: string[]): string => shared('conformance', 'cyclonedx', ...p);

  it.each(HAS_SHARED ? vexExamples().map((f) => [path.relative(cdx('bom-examples', 'VEX'), f), f]) : [])('%s parses, one statement per analysed vulnerability', async (_rel, file) => {
    const doc = await readVexFile(file);
    const raw = JSON.parse(readFileSync(file, 'utf8')) as { vulnerabilities: { id: string; analysis?: { state?: string } }[] };
    const analysed = raw.vulnerabilities.filter((v) => v.analysis?.state !== undefined);
    expect(analysed.length).toBeGreaterThan(0);
    expect(doc.statements.map((s) => s.vulnerability.id)).toEqual(analysed.map((v) => v.id));
  });

  it('finds the 25 VEX examples of the bom-examples repository', () => {
    expect(vexExamples()).toHaveLength(25);
  });

  it('VEX/vex.json: the jackson-databind statement (checked by hand against the file)', async () => {
    const doc = await readVexFile(cdx('bom-examples', 'VEX', 'vex.json'));
    expect(doc.statements).toEqual([
      {
        vulnerability: { id: 'CVE-2020-25649', aliases: ['SNYK-JAVA-COMFASTERXMLJACKSONCORE-1048302'] },
        products: ['pkg:maven/com.fasterxml.jackson.core/jackson-databind@2.10.0?type=jar'],
        subcomponents: [],
        status: 'not_affected',
        justification: 'vulnerable_code_not_in_execute_path',
        impactStatement: 'Automated dataflow analysis and manual code review indicates that the vulnerable code is not reachable, either directly or indirectly.',
        actionStatement: 'response: will_not_fix, update. Upgrade com.fasterxml.jackson.core:jackson-databind to version 2.6.7.4, 2.9.10.7, 2.10.5.1 or higher.',
        source: `${cdx('bom-examples', 'VEX', 'vex.json')} ($.vulnerabilities[0])`,
      },
    ]);
  });

  it('CISA Case-1: the four states of one CVE', async () => {
    const dir = cdx('bom-examples', 'VEX', 'CISA-Use-Cases', 'Case-1');
    const read = async (n: string) => (await readVexFile(path.join(dir, n))).statements[0]!;
    expect(await read('vex-not_affected.json')).toMatchObject({
      vulnerability: { id: 'CVE-2021-44228' },
      products: ['product-ABC'],
      status: 'not_affected',
      justification: 'vulnerable_code_not_present',
      timestamp: '2022-03-03T00:00:00Z',
    });
    expect(await read('vex-affected.json')).toMatchObject({ products: ['product-DEF'], status: 'affected', actionStatement: 'response: will_not_fix, update' });
    expect(await read('vex-fixed.json')).toMatchObject({ status: 'fixed', notes: 'This version of Product DEF has been fixed.' });
    expect(await read('vex-under_investigation.json')).toMatchObject({ products: ['product-GHI'], status: 'under_investigation' });
  });

  it('Use-Cases Case-12: protected_by_mitigating_control keeps its original name in the impact statement', async () => {
    const doc = await readVexFile(cdx('bom-examples', 'VEX', 'Use-Cases', 'Case-12', 'vex.json'));
    expect(doc.statements.map((s) => [s.vulnerability.id, s.status, s.justification ?? null])).toEqual([
      ['CVE-2020-25649', 'not_affected', 'vulnerable_code_not_in_execute_path'],
      ['CVE-2020-35491', 'affected', null],
      ['CVE-2020-14195', 'not_affected', 'inline_mitigations_already_exist'],
    ]);
    expect(doc.statements[2]!.impactStatement).toMatch(/^CycloneDX justification: protected_by_mitigating_control\. Vulnerability is not exploitable/);
  });

  it.each(['1.4', '1.5', '1.6', '1.7'])('spec test resource valid-vulnerability-%s: XML and JSON read to the same statements', async (v) => {
    const base = cdx('specification', 'test-resources', v, `valid-vulnerability-${v}`);
    const j = await readVexFile(`${base}.json`);
    const x = await readVexFile(`${base}.xml`);
    const strip = (d: typeof j) => d.statements.map(({ source: _s, ...rest }) => rest);
    expect(strip(x)).toEqual(strip(j));
    expect(j.statements[0]).toMatchObject({
      vulnerability: { id: 'SNYK-JAVA-COMFASTERXMLJACKSONCORE-32111', aliases: ['CVE-2018-7489'] },
      products: ['pkg:maven/com.fasterxml.jackson.core/jackson-databind@2.9.4'],
      status: 'not_affected',
      justification: 'vulnerable_code_not_in_execute_path',
    });
  });
});
