/**
 * The SBOM readers, the VEX readers, the policy file and the containment playbook under hostile
 * input (issue 12, item 5; docs/reliability.md "Parsers, sizes and output"): truncations, empty and
 * binary files, bytes that are not UTF-8, BOM and UTF-16, and every node of a valid sample replaced
 * by a value of the wrong type. A clean result or one VouchError line naming the file; nothing else.
 * The documents read from disk are written to a temporary folder, so the loaders' own reading is
 * what is tested.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { loadPlaybook } from '../remediate/containment.js';
import { readerBreaches, readerEncodingBreaches, breaches, encodingBreaches, withEntityAttack, XML_ENTITY_ATTACKS, yamlAttacks, type Sample } from '../testing/hostile.js';
import { memoryInput } from '../io/input.js';
import { VouchError } from '../model/errors.js';
import { parseVex } from '../triage/vex/read.js';
import { parsePolicy } from '../triage/policy.js';
import { parsePlaybook } from '../remediate/containment.js';
import { loadPolicy } from '../triage/policy.js';
import { readVexFile } from '../triage/vex/read.js';
import { cyclonedxExtractor } from './cyclonedx-read.js';
import { spdxExtractor } from './spdx-read.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const fixture = (...p: string[]): Buffer => readFileSync(path.join(HERE, ...p));

const SBOMS: { extractor: typeof cyclonedxExtractor; sample: Sample }[] = [
  { extractor: cyclonedxExtractor, sample: { file: 'graph.cdx.json', bytes: fixture('__fixtures__', 'graph.cdx.json'), syntax: 'json' } },
  { extractor: cyclonedxExtractor, sample: { file: 'nograph.bom.json', bytes: fixture('__fixtures__', 'nograph.bom.json'), syntax: 'json' } },
  { extractor: cyclonedxExtractor, sample: { file: 'crypto.cdx.xml', bytes: fixture('__fixtures__', 'crypto-1.6.cdx.xml'), syntax: 'xml' } },
  { extractor: cyclonedxExtractor, sample: { file: 'laravel.bom.xml', bytes: fixture('__fixtures__', 'laravel-1.2.bom.xml'), syntax: 'xml' } },
  { extractor: spdxExtractor, sample: { file: 'webapp.spdx.json', bytes: fixture('__fixtures__', 'webapp.spdx.json'), syntax: 'json' } },
  { extractor: spdxExtractor, sample: { file: 'webapp.spdx', bytes: fixture('__fixtures__', 'webapp.spdx'), syntax: 'text' } },
];

describe('SBOM readers under hostile input', () => {
  for (const { extractor, sample } of SBOMS) {
    it(`${extractor.id} ${sample.file}: truncated, empty, binary, not UTF-8, wrong types → a result or one VouchError line`, async () => {
      expect(await breaches(extractor, sample)).toEqual([]);
    });
    it(`${extractor.id} ${sample.file}: UTF-8 BOM, UTF-16 LE/BE → read as without, or refused`, async () => {
      expect(await encodingBreaches(extractor, sample)).toEqual([]);
    });
  }
});

const tmp = mkdtempSync(path.join(os.tmpdir(), 'vouch-hostile-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
let seq = 0;

/** A loader that reads a path: each variant is written to its own file, named like the sample. */
function onDisk<T>(load: (file: string) => Promise<T> | T): (file: string, bytes: Buffer) => Promise<T> {
  return async (file, bytes) => {
    const dir = path.join(tmp, String(++seq));
    const real = path.join(dir, path.basename(file));
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    writeFileSync(real, bytes);
    try {
      return await load(real);
    } catch (e) {
      // the loaders name the file they read; the contract check looks for the sample's name
      if (e instanceof Error && 'path' in e && (e as { path?: string }).path === real) Object.assign(e, { path: file });
      throw e;
    }
  };
}

const CDX_VEX_XML = `<?xml version="1.0"?>
<bom xmlns="http://cyclonedx.org/schema/bom/1.5" version="1">
  <components><component type="library" bom-ref="lib"><name>a</name><purl>pkg:npm/a@1.0.0</purl></component></components>
  <vulnerabilities>
    <vulnerability><id>CVE-2024-1</id><analysis><state>not_affected</state><justification>code_not_reachable</justification></analysis><affects><target><ref>lib</ref></target></affects></vulnerability>
    <vulnerability><id>CVE-2024-2</id><analysis><state>resolved</state></analysis><affects><target><ref>pkg:npm/a</ref><versions><version><range>vers:npm/&lt;2</range><status>unaffected</status></version></versions></target></affects></vulnerability>
  </vulnerabilities>
</bom>
`;

const PLAYBOOK = `# ours
CVE-2021-44228:
  - "remove JndiLookup.class"
  - "or run with -Dlog4j2.formatMsgNoLookups=true"
GHSA-xxxx-0000-0000: one step
`;

const DOCUMENTS: { what: string; sample: Sample; read: (file: string, bytes: Buffer) => Promise<unknown>; key: (v: unknown) => string }[] = [
  {
    what: 'OpenVEX',
    sample: { file: 'log4j.openvex.json', bytes: readFileSync(path.join(HERE, '..', 'triage', 'vex', '__fixtures__', 'log4j.openvex.json')), syntax: 'json' },
    read: onDisk(readVexFile),
    key: (d) => JSON.stringify((d as Awaited<ReturnType<typeof readVexFile>>).statements.map((s) => [s.vulnerability, s.status, s.products])),
  },
  {
    what: 'CycloneDX VEX JSON',
    sample: { file: 'app.vex.cdx.json', bytes: readFileSync(path.join(HERE, '..', 'triage', 'vex', '__fixtures__', 'app.vex.cdx.json')), syntax: 'json' },
    read: onDisk(readVexFile),
    key: (d) => JSON.stringify((d as Awaited<ReturnType<typeof readVexFile>>).statements.map((s) => [s.vulnerability, s.status, s.products])),
  },
  {
    what: 'CycloneDX VEX XML',
    sample: { file: 'app.vex.cdx.xml', bytes: Buffer.from(CDX_VEX_XML), syntax: 'xml' },
    read: onDisk(readVexFile),
    key: (d) => JSON.stringify((d as Awaited<ReturnType<typeof readVexFile>>).statements.map((s) => [s.vulnerability, s.status, s.products])),
  },
  {
    what: 'policy file',
    sample: { file: 'vouch.policy.yaml', bytes: readFileSync(path.join(HERE, '..', 'triage', '__fixtures__', 'policy', 'full.yaml')), syntax: 'yaml' },
    read: onDisk((f) => loadPolicy(f)),
    key: (p) => JSON.stringify(p, (k, v: unknown) => (k === 'path' || k === 'source' || k === 'file' ? undefined : v)),
  },
  {
    what: 'containment playbook',
    sample: { file: 'vouch.containment.yaml', bytes: Buffer.from(PLAYBOOK), syntax: 'yaml' },
    read: onDisk((f) => loadPlaybook(f, [])),
    key: (p) => JSON.stringify([...((p as Awaited<ReturnType<typeof loadPlaybook>>)?.steps ?? new Map()).entries()]),
  },
];

describe('VEX, policy and containment files under hostile input', () => {
  for (const d of DOCUMENTS) {
    it(`${d.what}: truncated, empty, binary, not UTF-8, wrong types → a result or one VouchError line`, async () => {
      expect(await readerBreaches(d.read, d.sample)).toEqual([]);
    });
    it(`${d.what}: UTF-8 BOM, UTF-16 LE/BE → read as without, or refused`, async () => {
      expect(await readerEncodingBreaches(d.read, d.sample, d.key)).toEqual([]);
    });
  }
});

async function errorOf(f: () => unknown): Promise<VouchError> {
  try {
    await f();
  } catch (e) {
    if (e instanceof VouchError) return e;
    throw e;
  }
  throw new Error('expected a VouchError');
}

describe('CycloneDX XML and CycloneDX VEX XML: entities are never expanded nor fetched', () => {
  const readers: { what: string; xml: string; target: string; read: (text: string) => unknown }[] = [
    { what: 'CycloneDX XML SBOM', xml: fixture('__fixtures__', 'crypto-1.6.cdx.xml').toString('utf8'), target: '<version>9.0.14</version>', read: (t) => cyclonedxExtractor.extract(memoryInput('bom.cdx.xml', t)) },
    { what: 'CycloneDX VEX XML', xml: CDX_VEX_XML, target: '<id>CVE-2024-1</id>', read: (t) => parseVex(t, 'bom.cdx.xml') },
  ];
  for (const r of readers) {
    for (const attack of XML_ENTITY_ATTACKS) {
      it(`${r.what}: ${attack.label} → one INPUT_UNSAFE line at the DOCTYPE`, async () => {
        const text = withEntityAttack(r.xml, attack, 'bom', r.target);
        const e = await errorOf(() => r.read(text));
        expect(e.code).toBe('INPUT_UNSAFE');
        expect(e.oneLine()).toMatch(/^bom\.cdx\.xml:2: XML entity declarations are not read/);
      });
    }
  }
});

describe('policy and playbook: alias bombs, custom tags and duplicate keys are one line', () => {
  const readers: { what: string; top: string; read: (text: string) => unknown }[] = [
    { what: 'policy', top: 'version: 1\n', read: (t) => parsePolicy(t, 'vouch.policy.yaml') },
    { what: 'containment playbook', top: 'CVE-1: a\n', read: (t) => parsePlaybook(t, 'vouch.containment.yaml') },
  ];
  for (const r of readers) {
    for (const a of yamlAttacks(r.top)) {
      it(`${r.what}: ${a.label}`, async () => {
        const e = await errorOf(() => r.read(a.text));
        expect(e.code).toBe('INPUT_PARSE');
        expect(e.oneLine()).not.toContain('\n');
      });
    }
    it(`${r.what}: a key written twice`, async () => {
      const e = await errorOf(() => r.read(`${r.top}${r.top}`));
      expect(e.oneLine()).toMatch(/:2: not valid YAML: duplicate key/);
    });
  }

  it('the playbook: an alias bomb inside the steps (where aliases are allowed) stops at 100 aliases', async () => {
    const bomb = ['a0: &a0 [x, x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i < 12; i++) bomb.push(`a${i}: &a${i} [${Array(10).fill(`*a${i - 1}`).join(', ')}]`);
    const e = await errorOf(() => parsePlaybook(`${bomb.join('\n')}\nCVE-1: *a11\n`, 'vouch.containment.yaml'));
    expect(e.oneLine()).toMatch(/^vouch\.containment\.yaml: YAML aliases expand too far \(more than 100\)/);
  });
});

describe('SBOM and VEX documents nested 100,000 deep', () => {
  const N = 100_000;
  it('CycloneDX JSON components nested 100,000 deep: one line naming the JSON path', async () => {
    let cdx = '';
    for (let i = 0; i < N; i++) cdx += `{"type":"library","name":"n${i}","version":"1","purl":"pkg:npm/n${i}@1","components":[`;
    cdx += ']}'.repeat(N);
    const e = await errorOf(() => cyclonedxExtractor.extract(memoryInput('bom.cdx.json', `{"bomFormat":"CycloneDX","specVersion":"1.5","components":[${cdx}]}`)));
    expect(e.oneLine()).toMatch(/^bom\.cdx\.json \(\$\.components\[0\]\.components\[0\].*…\): components nested more than 256 deep: not read$/);
  });

  it('CycloneDX JSON components nested 200 deep are read, every one', async () => {
    let cdx = '';
    for (let i = 0; i < 200; i++) cdx += `{"type":"library","name":"n${i}","version":"1.0.0","purl":"pkg:npm/n${i}@1.0.0","components":[`;
    cdx += ']}'.repeat(200);
    const inv = await cyclonedxExtractor.extract(memoryInput('bom.cdx.json', `{"bomFormat":"CycloneDX","specVersion":"1.5","components":[${cdx}]}`));
    expect(inv.graph.components.size).toBe(200);
  });

  it('CycloneDX XML components nested 100,000 deep: one line (the parser allows 1,000 tags deep)', async () => {
    const x = '<component type="library"><name>n</name><version>1</version><components>'.repeat(N) + '</components></component>'.repeat(N);
    const e = await errorOf(() => cyclonedxExtractor.extract(memoryInput('bom.cdx.xml', `<?xml version="1.0"?><bom xmlns="http://cyclonedx.org/schema/bom/1.5"><components>${x}</components></bom>`)));
    expect(e.oneLine()).toBe('bom.cdx.xml: not valid XML: Maximum nested tags exceeded');
  });

  it('SPDX JSON, CycloneDX VEX XML and OpenVEX with 100,000-deep values: one line or a clean result', async () => {
    const deep = '['.repeat(N) + ']'.repeat(N);
    await expect(spdxExtractor.extract(memoryInput('a.spdx.json', `{"spdxVersion":"SPDX-2.3","packages":[],"x":${deep}}`))).resolves.toBeDefined();
    expect((await errorOf(() => parseVex(`<bom xmlns="http://cyclonedx.org/schema/bom/1.5">${'<a>'.repeat(N)}${'</a>'.repeat(N)}</bom>`, 'v.xml'))).oneLine()).toBe(
      'v.xml: not valid XML: Maximum nested tags exceeded',
    );
    expect((await errorOf(() => parseVex(`{"@context":"https://openvex.dev/ns/v0.2.0","statements":${deep}}`, 'v.json'))).oneLine()).toMatch(/^v\.json \(\$\.statements\[0\]\): /);
    expect((await errorOf(() => parsePolicy(`version: 1\nfail: ${deep}\n`, 'p.yaml'))).oneLine()).toMatch(/^p\.yaml:2: not valid YAML: /);
  });
});
