import { readFileSync } from 'node:fs';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { VouchError } from '../../model/errors.js';
import { HAS_SHARED, shared } from '../../testing/shared.js';
import { appendStatement, buildStatement, createDocument, documentId, type StatementInput } from './create.js';
import { vexFor } from './match.js';
import { readOpenVex } from './openvex.js';

const T = '2024-06-01T12:00:00.000Z';
const LOG4J = 'pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1';
const base: StatementInput = { vulnerability: 'CVE-2021-44228', products: [LOG4J], status: 'not_affected', justification: 'vulnerable_code_not_in_execute_path' };

function usageError(input: Partial<StatementInput>): string {
  try {
    buildStatement({ ...base, justification: undefined, ...input } as StatementInput, T);
  } catch (e) {
    expect(e).toBeInstanceOf(VouchError);
    expect((e as VouchError).code).toBe('USAGE');
    return (e as VouchError).message;
  }
  throw new Error('expected a usage error');
}

describe('buildStatement: the OpenVEX rules', () => {
  it('not_affected with a justification, an impact statement, or both', () => {
    expect(buildStatement(base, T)).toEqual({
      vulnerability: { name: 'CVE-2021-44228' },
      timestamp: T,
      products: [{ '@id': LOG4J }],
      status: 'not_affected',
      justification: 'vulnerable_code_not_in_execute_path',
    });
    expect(buildStatement({ ...base, justification: undefined, impactStatement: 'no JNDI' }, T)).toMatchObject({ impact_statement: 'no JNDI' });
  });

  it.each([
    [{ status: 'not_affected' }, '--status not_affected needs --justification (one of component_not_present, vulnerable_code_not_present, vulnerable_code_cannot_be_controlled_by_adversary, vulnerable_code_not_in_execute_path, inline_mitigations_already_exist) or --impact-statement'],
    [{ status: 'not_affected', justification: 'not_used' }, 'invalid --justification "not_used" (allowed: component_not_present, vulnerable_code_not_present, vulnerable_code_cannot_be_controlled_by_adversary, vulnerable_code_not_in_execute_path, inline_mitigations_already_exist)'],
    [{ status: 'not_affected', justification: 'component_not_present', actionStatement: 'x' }, '--action-statement is for --status affected, not not_affected'],
    [{ status: 'affected' }, '--status affected needs --action-statement (what to do about it)'],
    [{ status: 'affected', actionStatement: 'upgrade', justification: 'component_not_present' }, '--justification is only for --status not_affected (got --status affected)'],
    [{ status: 'fixed', impactStatement: 'x' }, '--impact-statement is only for --status not_affected (got --status fixed)'],
    [{ status: 'under_investigation', actionStatement: 'x' }, '--action-statement is only for --status affected (got --status under_investigation)'],
    [{ status: 'false_positive' }, 'invalid --status "false_positive" (allowed: not_affected, affected, fixed, under_investigation)'],
    [{ status: 'fixed', products: [] }, 'at least one --product PURL is required'],
    [{ status: 'fixed', products: ['log4j-core'] }, '--product and --subcomponent take a purl'],
    [{ status: 'fixed', products: ['pkg:maven'] }, 'invalid purl "pkg:maven"'],
    [{ status: 'fixed', vulnerability: 'CVE-1 CVE-2' }, '--vuln must be one vulnerability id'],
    [{ status: 'fixed', vulnerability: '' }, '--vuln must be one vulnerability id'],
  ])('%o → %s', (input, message) => {
    expect(usageError(input)).toContain(message);
  });

  it('takes golang purls whose version is no semver or whose path ends in a major version', () => {
    expect(buildStatement({ ...base, products: ['pkg:golang/github.com/Masterminds/semver/v3@v3.2.0'] }, T).products).toEqual([
      { '@id': 'pkg:golang/github.com/Masterminds/semver/v3@v3.2.0' },
    ]);
  });

  it('affected, fixed, under_investigation; aliases and subcomponents', () => {
    expect(buildStatement({ ...base, justification: undefined, status: 'affected', actionStatement: 'Upgrade to 2.17.1' }, T)).toMatchObject({ status: 'affected', action_statement: 'Upgrade to 2.17.1' });
    expect(buildStatement({ ...base, justification: undefined, status: 'fixed' }, T).status).toBe('fixed');
    expect(
      buildStatement({ ...base, aliases: ['GHSA-jfh8-c2jp-5v3q', 'CVE-2021-44228'], products: ['pkg:oci/app'], subcomponents: [LOG4J] }, T),
    ).toMatchObject({ vulnerability: { name: 'CVE-2021-44228', aliases: ['GHSA-jfh8-c2jp-5v3q'] }, products: [{ '@id': 'pkg:oci/app', subcomponents: [{ '@id': LOG4J }] }] });
  });
});

describe('createDocument / appendStatement', () => {
  it('writes an OpenVEX 0.2.0 document whose @id is the SHA-256 of its content', () => {
    const doc = createDocument(buildStatement(base, T), { author: 'Jane', timestamp: T, tooling: 'vouch test' });
    expect(Object.keys(doc)).toEqual(['@context', '@id', 'author', 'timestamp', 'version', 'tooling', 'statements']);
    expect(doc['@context']).toBe('https://openvex.dev/ns/v0.2.0');
    expect(doc['@id']).toMatch(/^https:\/\/openvex\.dev\/docs\/public\/vex-[0-9a-f]{64}$/);
    const { '@id': id, ...rest } = doc;
    expect(id).toBe(documentId(rest));
    expect(createDocument(buildStatement(base, T), { author: 'Jane', timestamp: T, tooling: 'vouch test' })['@id']).toBe(id);
    expect(createDocument(buildStatement(base, T), { author: 'John', timestamp: T, tooling: 'vouch test' })['@id']).not.toBe(id);
  });

  it.skipIf(!HAS_SHARED)('validates against the OpenVEX JSON schema', () => {
    const schema = JSON.parse(readFileSync(shared('conformance', 'openvex', 'spec', 'openvex_json_schema.json'), 'utf8')) as object;
    const ajv = new Ajv2020.default({ strict: false });
    addFormats.default(ajv);
    ajv.addFormat('iri', /^[a-z][a-z0-9+.-]*:/i);
    const validate = ajv.compile(schema);
    const doc = createDocument(buildStatement({ ...base, aliases: ['GHSA-jfh8-c2jp-5v3q'], impactStatement: 'no JNDI', subcomponents: [LOG4J], products: ['pkg:oci/app'] }, T), {
      author: 'Jane',
      timestamp: T,
      tooling: 'vouch',
    });
    const appended = appendStatement(doc, buildStatement({ ...base, justification: undefined, status: 'affected', actionStatement: 'upgrade' }, T), T, 'x.json');
    for (const d of [doc, appended]) expect(validate(d), JSON.stringify(validate.errors)).toBe(true);
    // and the schema does reject a statement vouch refuses to write
    expect(validate({ ...doc, statements: [{ vulnerability: { name: 'CVE-1' }, products: [{ '@id': LOG4J }], status: 'not_affected' }] })).toBe(false);
  });

  it('appends: version + 1, last_updated after timestamp, everything else kept', () => {
    const doc = createDocument(buildStatement(base, T), { author: 'Jane', timestamp: T });
    const later = '2024-07-01T00:00:00.000Z';
    const st2 = buildStatement({ ...base, justification: undefined, status: 'affected', actionStatement: 'Upgrade to 2.17.1' }, later);
    const out = appendStatement(doc, st2, later, 'app.openvex.json');
    expect(Object.keys(out)).toEqual(['@context', '@id', 'author', 'timestamp', 'last_updated', 'version', 'statements']);
    expect(out).toMatchObject({ '@id': doc['@id'], version: 2, last_updated: later, timestamp: T });
    expect(out['statements']).toEqual([...doc.statements, st2]);
    const again = appendStatement(out, st2, '2024-08-01T00:00:00Z', 'app.openvex.json');
    expect(again).toMatchObject({ version: 3, last_updated: '2024-08-01T00:00:00Z' });
    expect(Object.keys(again)).toEqual(Object.keys(out));
  });

  it.each([
    ['an 0.0.1 document', { '@context': 'https://openvex.dev/ns', version: 1, statements: [] }, '$["@context"]'],
    ['no statements list', { '@context': 'https://openvex.dev/ns/v0.2.0', version: 1 }, '$.statements'],
    ['a bad version', { '@context': 'https://openvex.dev/ns/v0.2.0', version: 0, statements: [] }, '$.version'],
    ['a list', [], '$'],
  ])('refuses to append to %s, naming the JSON path', (_l, existing, jsonPath) => {
    try {
      appendStatement(existing, buildStatement(base, T), T, 'x.json');
      throw new Error('expected an error');
    } catch (e) {
      expect((e as VouchError).code).toBe('INPUT_PARSE');
      expect((e as VouchError).path).toBe('x.json');
      expect((e as VouchError).position?.jsonPath).toBe(jsonPath);
    }
  });
});

describe('round trip: what create writes, the reader reads back, and vexFor applies', () => {
  it('reads back the same statements and suppresses the finding it names', () => {
    const s1 = buildStatement({ ...base, aliases: ['GHSA-jfh8-c2jp-5v3q'], impactStatement: 'JNDI lookups disabled' }, T);
    const doc = appendStatement(
      JSON.parse(JSON.stringify(createDocument(s1, { author: 'Jane', timestamp: T }))),
      buildStatement({ vulnerability: 'CVE-2021-45046', products: ['pkg:maven/org.apache.logging.log4j/log4j-core'], status: 'affected', actionStatement: 'Upgrade to 2.17.1' }, '2024-06-02T00:00:00Z'),
      '2024-06-02T00:00:00Z',
      'app.openvex.json',
    );
    const read = readOpenVex(JSON.parse(JSON.stringify(doc)), 'app.openvex.json');
    expect(read.warnings).toEqual([]);
    expect(read.statements).toEqual([
      {
        vulnerability: { id: 'CVE-2021-44228', aliases: ['GHSA-jfh8-c2jp-5v3q'] },
        products: [LOG4J],
        subcomponents: [],
        status: 'not_affected',
        justification: 'vulnerable_code_not_in_execute_path',
        impactStatement: 'JNDI lookups disabled',
        timestamp: T,
        source: 'app.openvex.json ($.statements[0])',
      },
      {
        vulnerability: { id: 'CVE-2021-45046', aliases: [] },
        products: ['pkg:maven/org.apache.logging.log4j/log4j-core'],
        subcomponents: [],
        status: 'affected',
        actionStatement: 'Upgrade to 2.17.1',
        timestamp: '2024-06-02T00:00:00Z',
        source: 'app.openvex.json ($.statements[1])',
      },
    ]);
    // the OSV finding for log4shell is GHSA-jfh8-c2jp-5v3q with alias CVE-2021-44228
    expect(vexFor(read.statements, { purl: LOG4J, id: 'GHSA-jfh8-c2jp-5v3q', aliases: ['CVE-2021-44228'] })).toEqual({
      by: 'vex',
      status: 'not_affected',
      justification: 'vulnerable_code_not_in_execute_path',
      impactStatement: 'JNDI lookups disabled',
      source: 'app.openvex.json ($.statements[0])',
    });
    expect(vexFor(read.statements, { purl: 'pkg:maven/org.apache.logging.log4j/log4j-core@2.15.0', id: 'GHSA-jfh8-c2jp-5v3q', aliases: ['CVE-2021-44228'] })).toBeUndefined();
    expect(vexFor(read.statements, { purl: LOG4J, id: 'GHSA-7rjr-3q55-vv33', aliases: ['CVE-2021-45046'] })).toBeUndefined();
  });
});
