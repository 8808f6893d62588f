import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { VouchError } from '../../model/errors.js';
import { HAS_SHARED, shared } from '../../testing/shared.js';
import { readOpenVex } from './openvex.js';
import { parseVex, readVexFile } from './read.js';

const fixture = (name: string): string => path.join(import.meta.dirname, '__fixtures__', name);

function parseError(doc: unknown): VouchError {
  try {
    readOpenVex(doc, 'bad.json');
  } catch (e) {
    expect(e).toBeInstanceOf(VouchError);
    return e as VouchError;
  }
  throw new Error('expected a parse error');
}

const ok = (statements: unknown[]): Record<string, unknown> => ({
  '@context': 'https://openvex.dev/ns/v0.2.0',
  '@id': 'https://example.com/vex-1',
  author: 'a',
  timestamp: '2024-01-01T00:00:00Z',
  version: 1,
  statements,
});

describe('OpenVEX reader', () => {
  it('reads a 0.2.0 document: products with subcomponents, aliases, statement timestamp over the document one', async () => {
    const doc = await readVexFile(fixture('log4j.openvex.json'));
    expect(doc.format).toBe('openvex');
    expect(doc.warnings).toEqual([]);
    expect(doc.statements).toEqual([
      {
        vulnerability: { id: 'CVE-2021-44228', aliases: ['GHSA-jfh8-c2jp-5v3q'] },
        products: ['pkg:maven/com.example/app@1.0.0'],
        subcomponents: ['pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1'],
        status: 'not_affected',
        justification: 'vulnerable_code_not_in_execute_path',
        impactStatement: 'JNDI lookups are disabled',
        timestamp: '2024-03-01T10:00:00Z',
        source: `${fixture('log4j.openvex.json')} ($.statements[0])`,
      },
      {
        vulnerability: { id: 'CVE-2021-45046', aliases: [] },
        products: ['pkg:maven/org.apache.logging.log4j/log4j-core', 'cpe:2.3:a:apache:log4j:2.14.1:*:*:*:*:*:*:*'],
        subcomponents: [],
        status: 'affected',
        actionStatement: 'Upgrade to 2.17.1',
        notes: 'seen in staging',
        timestamp: '2024-02-01T00:00:00Z',
        source: `${fixture('log4j.openvex.json')} ($.statements[1])`,
      },
    ]);
  });

  it('reads the 0.0.1 shape: vulnerability and products as strings, statement-level subcomponents', () => {
    const doc = parseVex(
      JSON.stringify({
        '@context': 'https://openvex.dev/ns',
        '@id': 'x',
        author: 'a',
        timestamp: '2023-01-08T18:02:03.647787998-06:00',
        version: '1',
        statements: [
          { vulnerability: 'CVE-2023-12345', products: ['pkg:apk/wolfi/git@2.39.0-r1?arch=armv7'], subcomponents: ['pkg:apk/wolfi/curl'], status: 'fixed' },
        ],
      }),
      'old.json',
    );
    expect(doc.statements[0]).toMatchObject({
      vulnerability: { id: 'CVE-2023-12345', aliases: [] },
      products: ['pkg:apk/wolfi/git@2.39.0-r1?arch=armv7'],
      subcomponents: ['pkg:apk/wolfi/curl'],
      status: 'fixed',
      timestamp: '2023-01-08T18:02:03.647787998-06:00',
    });
  });

  it('warns (does not fail) on a not_affected without justification and on an unknown justification', () => {
    const doc = readOpenVex(
      ok([
        { vulnerability: { name: 'CVE-1' }, products: [{ '@id': 'pkg:npm/a' }], status: 'not_affected' },
        { vulnerability: { name: 'CVE-2' }, products: [{ '@id': 'pkg:npm/a' }], status: 'not_affected', justification: 'because' },
      ]),
      'w.json',
    );
    expect(doc.statements).toHaveLength(2);
    expect(doc.warnings).toEqual([
      'w.json ($.statements[0]): not_affected without a justification or impact_statement (the spec requires one)',
      'w.json ($.statements[1].justification): "because" is not an OpenVEX justification (component_not_present, vulnerable_code_not_present, vulnerable_code_cannot_be_controlled_by_adversary, vulnerable_code_not_in_execute_path, inline_mitigations_already_exist)',
    ]);
  });

  it.each([
    ['a list', [], '$', 'expected an OpenVEX document (a JSON object), found an array'],
    ['no @context', { statements: [] }, '$["@context"]', 'not an OpenVEX document: no @context'],
    ['a foreign context', { '@context': 'https://openvex.dev/ns/v9' }, '$["@context"]', 'unsupported OpenVEX @context'],
    ['a future major version', { '@context': 'https://openvex.dev/ns/v1.0.0' }, '$["@context"]', 'unsupported OpenVEX @context "https://openvex.dev/ns/v1.0.0"'],
    ['statements not a list', { ...ok([]), statements: {} }, '$.statements', 'expected a list of statements, found an object'],
    ['a bad status', ok([{ vulnerability: { name: 'CVE-1' }, products: [], status: 'maybe' }]), '$.statements[0].status', 'invalid status "maybe" (allowed: not_affected, affected, fixed, under_investigation)'],
    ['a missing status', ok([{ vulnerability: { name: 'CVE-1' }, products: [] }]), '$.statements[0].status', 'invalid status undefined'],
    ['a vulnerability without name', ok([{ vulnerability: { '@id': 'x' }, status: 'fixed' }]), '$.statements[0].vulnerability', 'vulnerability without a "name"'],
    ['a numeric vulnerability', ok([{ vulnerability: 5, status: 'fixed' }]), '$.statements[0].vulnerability', 'found a number'],
    ['aliases not a list', ok([{ vulnerability: { name: 'CVE-1', aliases: 'x' }, status: 'fixed' }]), '$.statements[0].vulnerability.aliases', 'expected a list of strings'],
    ['products not a list', ok([{ vulnerability: { name: 'CVE-1' }, products: 'pkg:npm/a', status: 'fixed' }]), '$.statements[0].products', 'expected a list of products'],
    ['a product without id', ok([{ vulnerability: { name: 'CVE-1' }, products: [{ hashes: {} }], status: 'fixed' }]), '$.statements[0].products[0]', 'component without "@id" or "identifiers"'],
    ['a bad subcomponent', ok([{ vulnerability: { name: 'CVE-1' }, products: [{ '@id': 'p', subcomponents: [3] }], status: 'fixed' }]), '$.statements[0].products[0].subcomponents[0]', 'found a number'],
    ['a numeric impact statement', ok([{ vulnerability: { name: 'CVE-1' }, products: ['p'], status: 'not_affected', impact_statement: 1 }]), '$.statements[0].impact_statement', 'expected a string, found a number'],
    ['a bad timestamp', ok([{ vulnerability: { name: 'CVE-1' }, products: ['p'], status: 'fixed', timestamp: 'yesterday' }]), '$.statements[0].timestamp', 'invalid timestamp "yesterday"'],
    ['a bad document timestamp', { ...ok([]), timestamp: '2024-13-45' }, '$.timestamp', 'invalid timestamp "2024-13-45"'],
  ])('fails on %s with the JSON path', (_label, doc, jsonPath, message) => {
    const e = parseError(doc);
    expect(e.code).toBe('INPUT_PARSE');
    expect(e.position?.jsonPath).toBe(jsonPath);
    expect(e.message).toContain(message);
    expect(e.oneLine()).toMatch(/^bad\.json \(\$/);
  });

  it('names file and line for broken JSON, and refuses what is not VEX', () => {
    expect(() => parseVex('{\n  "@context": "https://openvex.dev/ns/v0.2.0",\n  "statements": [\n', 'cut.json')).toThrow(/not valid JSON/);
    try {
      parseVex('{\n "a": 1,\n}', 'cut.json');
    } catch (e) {
      expect((e as VouchError).oneLine()).toMatch(/^cut\.json:3: not valid JSON/);
    }
    expect(() => parseVex('{"name":"x","lockfileVersion":3}', 'package-lock.json')).toThrow(/not a VEX document/);
    expect(() => parseVex('{"document":{"csaf_version":"2.0"}}', 'c.json')).toThrow(/CSAF VEX is not supported/);
    expect(() => parseVex('name: x', 'v.yaml')).toThrow(/not a VEX document/);
  });
});

/** Every OpenVEX document in the corpus (JSON with an openvex.dev @context; CSAF, SPDX, schema and contexts are not VEX). */
function corpusDocuments(): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const e of readdirSync(d)) {
      const p = path.join(d, e);
      if (statSync(p).isDirectory()) walk(p);
      else if (e.endsWith('.json') && /"@context"\s*:\s*"https:\/\/openvex\.dev\/ns/.test(readFileSync(p, 'utf8'))) out.push(p);
    }
  };
  walk(shared('conformance', 'openvex'));
  return out.sort();
}

describe.skipIf(!HAS_SHARED)('OpenVEX conformance corpus (../shared/conformance/openvex)', () => {
  const docs = HAS_SHARED ? corpusDocuments() : [];

  it('finds the 27 OpenVEX example and test documents of spec, go-vex and vexctl', () => {
    expect(docs).toHaveLength(27);
  });

  it.each(docs.map((d) => [path.relative(shared('conformance', 'openvex'), d), d]))('%s parses', async (_rel, file) => {
    const doc = await readVexFile(file);
    const raw = JSON.parse(readFileSync(file, 'utf8')) as { statements: { products?: unknown[] }[] };
    expect(doc.statements).toHaveLength(raw.statements.length);
    doc.statements.forEach((s, i) => {
      expect(s.vulnerability.id).toMatch(/^CVE-\d{4}-\d+$/);
      // vexctl's test.vex.json is a template without products: those statements apply to nothing
      expect(s.products).toHaveLength(raw.statements[i]!.products?.length ?? 0);
    });
  });

  it('go-vex v0.2.0.json: the statements, ids and product its TestParse expects', async () => {
    const expectations = JSON.parse(readFileSync(shared('conformance', 'openvex', 'go-vex', 'expectations.json'), 'utf8')) as {
      cases: { test: string; fixture: string; expect?: unknown }[];
    };
    const want = expectations.cases.find((c) => c.test === 'TestParse' && c.fixture === 'testdata/v0.2.0.json')!.expect as {
      statementCount: number;
      everyStatementFirstProductId: string;
      vulnerabilityNamesSorted: string[];
    };
    const doc = await readVexFile(shared('conformance', 'openvex', 'go-vex', 'pkg', 'vex', 'testdata', 'v0.2.0.json'));
    expect(doc.statements).toHaveLength(want.statementCount);
    for (const s of doc.statements) expect(s.products[0]).toBe(want.everyStatementFirstProductId);
    expect(doc.statements.map((s) => s.vulnerability.id).sort()).toEqual(want.vulnerabilityNamesSorted);
    // checked by hand: each statement lists libssl3 and libcrypto3 as subcomponents, status fixed
    expect(doc.statements[0]).toMatchObject({ subcomponents: ['pkg:apk/alpine/libssl3@3.0.8-r3', 'pkg:apk/alpine/libcrypto3@3.0.8-r3'], status: 'fixed' });
  });

  it('go-vex v0.0.1.json: what TestParse001 expects', async () => {
    const doc = await readVexFile(shared('conformance', 'openvex', 'go-vex', 'pkg', 'vex', 'testdata', 'v0.0.1.json'));
    expect(doc.statements).toEqual([
      expect.objectContaining({
        vulnerability: { id: 'CVE-2023-12345', aliases: [] },
        products: ['pkg:apk/wolfi/git@2.39.0-r1?arch=armv7', 'pkg:apk/wolfi/git@2.39.0-r1?arch=x86_64'],
        status: 'fixed',
        timestamp: '2023-01-08T18:02:03.647787998-06:00',
      }),
    ]);
  });

  it('go-vex csaf.json is refused as CSAF, not misread', async () => {
    await expect(readVexFile(shared('conformance', 'openvex', 'go-vex', 'pkg', 'vex', 'testdata', 'csaf.json'))).rejects.toThrow(/CSAF VEX is not supported/);
  });
});
