/**
 * A CycloneDX JSON document too large for one string is read as it streams in
 * (readCycloneDxInput → io/json-stream.ts). It must give exactly the Inventory of the in-memory
 * reader: every test here reads the same bytes both ways, forcing the streaming path with a
 * threshold of 0 and, for token and line boundaries, with chunks a few bytes long.
 */
import { closeSync, openSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { truncate } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { fileInput, MAX_STREAM_INPUT_BYTES } from '../io/input.js';
import { isVouchError, type VouchError } from '../model/errors.js';
import type { InputFile, Inventory } from '../model/inventory.js';
import { plainInventory as plain } from '../testing/inventory-plain.js';
import { HAS_SHARED, shared } from '../testing/shared.js';
import { tempFolders } from '../testing/temp.js';
import { readCycloneDx, readCycloneDxInput } from './cyclonedx-read.js';

const { tmp } = tempFolders('vouch-cdx-stream-');
const FIXTURES = path.join(import.meta.dirname, '__fixtures__');

/** A sparse file of `size` bytes (no data blocks written). */
async function sparse(file: string, size: number): Promise<void> {
  closeSync(openSync(file, 'w'));
  await truncate(file, size);
}

/** The same file as an input whose stream comes in chunks of `size` bytes. */
function chunked(input: InputFile, size: number): InputFile {
  return {
    ...input,
    async *stream() {
      for await (const c of input.stream!()) for (let i = 0; i < c.length; i += size) yield c.subarray(i, i + size);
    },
  };
}

async function bothWays(file: string, chunkSizes: number[] = []): Promise<Inventory> {
  const text = readFileSync(file, 'utf8').replace(/^\uFEFF/, '');
  const whole = readCycloneDx(text, file);
  const input = await fileInput(file);
  const streamed = await readCycloneDxInput(input, { streamAbove: 0 });
  expect(plain(streamed)).toEqual(plain(whole));
  for (const size of chunkSizes) expect(plain(await readCycloneDxInput(chunked(input, size), { streamAbove: 0 }))).toEqual(plain(whole));
  return whole;
}

async function streamError(content: string | Buffer): Promise<VouchError> {
  const file = path.join(tmp('err'), 'bad.cdx.json');
  writeFileSync(file, content);
  try {
    await readCycloneDxInput(await fileInput(file), { streamAbove: 0 });
  } catch (e) {
    if (isVouchError(e)) return e;
    throw e;
  }
  throw new Error('expected a VouchError');
}

describe('CycloneDX JSON read as it streams = read whole', () => {
  it('the graph fixture, in one piece and in chunks of 1, 7 and 64 bytes (tokens and lines cut anywhere)', async () => {
    const inv = await bothWays(path.join(FIXTURES, 'graph.cdx.json'), [1, 7, 64]);
    expect(inv.graph.components.size).toBeGreaterThan(0);
  });

  it('a document without a dependency graph', async () => {
    await bothWays(path.join(FIXTURES, 'nograph.bom.json'), [5]);
  });

  it('metadata after the components, a repeated purl, nested components, services, a key split over lines, a BOM', async () => {
    const doc = `\uFEFF{
  "components": [
    { "bom-ref": "a", "name": "lodash", "version": "4.17.15", "purl": "pkg:npm/lodash@4.17.15",
      "components": [ { "bom-ref": "a1", "name": "inner", "version": "1.0.0", "purl"
        :
        "pkg:npm/inner@1.0.0" } ] },
    { "bom-ref": "b", "name": "lodash", "version": "4.17.15", "purl": "pkg:npm/lodash@4.17.15" },
    { "bom-ref": "c", "name": "no-version", "purl": "pkg:npm/no-version" },
    { "bom-ref": "d", "name": "bad", "version": "1", "purl": "pkg:nope" },
    "not a component",
    { "bom-ref": "e", "name": "minimist", "version": "0.0.8", "purl": "pkg:npm/minimist@0.0.8",
      "properties": [ { "name": "x", "value": "y" } ], "hashes": [ { "alg": "SHA-256", "content": "${'ab'.repeat(32)}" } ],
      "licenses": [ { "license": { "id": "MIT" } }, { "expression": "MIT OR Apache-2.0" } ] }
  ],
  "services": [ { "bom-ref": "svc", "name": "api", "services": [ { "bom-ref": "svc2" } ] } ],
  "dependencies": [
    { "ref": "app", "dependsOn": ["a", "svc"] },
    { "ref": "svc", "dependsOn": ["b", "ghost"] },
    { "dependsOn": ["e"] },
    { "ref": "b", "dependsOn": [{ "ref": "e" }] }
  ],
  "bomFormat": "CycloneDX",
  "specVersion": "1.7",
  "metadata": { "component": { "bom-ref": "app", "name": "app", "version": "1.0.0", "purl": "pkg:npm/app@1.0.0" } }
}
`;
    const file = path.join(tmp('mixed'), 'mixed.cdx.json');
    writeFileSync(file, doc);
    const inv = await bothWays(file, [3, 11]);
    // the reader saw what it should (checked against the text above, not the reader's output)
    expect([...inv.graph.components.keys()].sort()).toEqual(['pkg:npm/app@1.0.0', 'pkg:npm/inner@1.0.0', 'pkg:npm/lodash@4.17.15', 'pkg:npm/minimist@0.0.8']);
    // its bom-ref and its "purl" key are on line 4 (the value on line 6): the key's line, as the whole-text reader finds it
    expect(inv.graph.components.get('pkg:npm/inner@1.0.0')?.locations[0]?.line).toBe(4);
    expect(inv.warnings.join('\n')).toMatch(/\$\.components\[4\]: not a component object/);
    expect(inv.warnings.join('\n')).toMatch(/\$\.dependencies\[2\]: no "ref"/);
    expect(inv.warnings.join('\n')).toMatch(/1\.7 is outside/);
  });

  it('components that are not a list, and a second "components" key (the last counts, as in JSON.parse)', async () => {
    const dir = tmp('shapes');
    const a = path.join(dir, 'a.cdx.json');
    writeFileSync(a, '{"bomFormat": "CycloneDX", "components": {"x": {"purl": "pkg:npm/x@1.0.0"}}}');
    expect((await bothWays(a)).warnings).toContain('$.components: not a list; ignored');
    const b = path.join(dir, 'b.cdx.json');
    writeFileSync(b, '{"bomFormat": "CycloneDX", "components": [{"purl": "pkg:npm/x@1.0.0", "version": "1.0.0"}], "components": [{"purl": "pkg:npm/y@2.0.0", "version": "2.0.0"}]}');
    expect([...(await bothWays(b)).graph.components.keys()]).toEqual(['pkg:npm/y@2.0.0']);
  });

  it('a generated SBOM of 3,000 components with a graph, in 4 KiB chunks', async () => {
    const components = [];
    const dependencies = [];
    for (let i = 0; i < 3000; i++) {
      const purl = `pkg:npm/p${i % 2500}@1.${i % 7}.0`;
      components.push({ 'bom-ref': `r${i}`, name: `p${i % 2500}`, version: `1.${i % 7}.0`, purl, ...(i % 100 === 0 ? { components: [{ 'bom-ref': `n${i}`, name: 'n', version: '1.0.0', purl: `pkg:npm/n${i}@1.0.0` }] } : {}) });
      dependencies.push({ ref: `r${i}`, dependsOn: [2 * i + 1, 2 * i + 2].filter((j) => j < 3000).map((j) => `r${j}`) });
    }
    const file = path.join(tmp('gen'), 'gen.cdx.json');
    writeFileSync(file, JSON.stringify({ bomFormat: 'CycloneDX', specVersion: '1.6', metadata: { component: { 'bom-ref': 'r-app', name: 'app' } }, components, dependencies }, null, 2));
    const inv = await bothWays(file, [4096]);
    // 3,000 distinct purls (i and i + 2,500 differ in version: 2,500 mod 7 = 1) and 30 nested ones
    expect(inv.graph.components.size).toBe(3030);
  });
});

describe.skipIf(!HAS_SHARED)('CycloneDX JSON read as it streams = read whole, on ../shared/conformance', () => {
  const dir = shared('conformance', 'cyclonedx');
  const files: string[] = [];
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (/\.json$/.test(e.name) && /"bomFormat"\s*:\s*"CycloneDX"/.test(readFileSync(p, 'utf8').slice(0, 4096))) files.push(p);
    }
  };
  if (HAS_SHARED) walk(dir);

  it('every CycloneDX JSON document (bom-examples and specification test resources) gives the same inventory or the same refusal', async () => {
    expect(files.length).toBeGreaterThan(50);
    for (const file of files) {
      const text = readFileSync(file, 'utf8').replace(/^\uFEFF/, '');
      let whole: Inventory | VouchError;
      try {
        whole = readCycloneDx(text, file);
      } catch (e) {
        if (!isVouchError(e)) throw e;
        whole = e;
      }
      let streamed: Inventory | VouchError;
      try {
        streamed = await readCycloneDxInput(await fileInput(file), { streamAbove: 0 });
      } catch (e) {
        if (!isVouchError(e)) throw e;
        streamed = e;
      }
      if (isVouchError(whole)) {
        expect(isVouchError(streamed) ? streamed.code : 'read', file).toBe(whole.code);
      } else {
        expect(isVouchError(streamed) ? streamed.oneLine() : plain(streamed), file).toEqual(plain(whole));
      }
    }
  });
});

describe('CycloneDX JSON read as it streams: bad input is one line', () => {
  it('invalid JSON names the line', async () => {
    const e = await streamError('{\n  "bomFormat": "CycloneDX",\n  "components": [ {"purl": } ]\n}\n');
    expect(e.code).toBe('INPUT_PARSE');
    expect(e.oneLine()).toMatch(/bad\.cdx\.json:3: not valid JSON/);
  });

  it('a truncated document', async () => {
    const e = await streamError('{\n  "bomFormat": "CycloneDX",\n  "components": [ {"purl": "pkg:npm/a@1"}');
    expect(e.oneLine()).toMatch(/not valid JSON: Unexpected end of JSON input/);
  });

  it('an empty file', async () => {
    expect((await streamError('')).oneLine()).toMatch(/not valid JSON/);
  });

  it('not an object, not CycloneDX, SPDX', async () => {
    expect((await streamError('[1, 2]')).oneLine()).toMatch(/not a CycloneDX document: the JSON is not an object/);
    expect((await streamError('{"a": 1}')).oneLine()).toMatch(/JSON without "bomFormat": "CycloneDX"/);
    expect((await streamError('{"spdxVersion": "SPDX-2.3"}')).oneLine()).toMatch(/an SPDX document/);
  });

  it('binary data, bytes that are not UTF-8, UTF-16', async () => {
    expect((await streamError(Buffer.from([0x7b, 0x00, 0x7d]))).oneLine()).toMatch(/binary data/);
    expect((await streamError(Buffer.concat([Buffer.from('{\n"bomFormat": "CycloneDX", "x": "'), Buffer.from([0xc3, 0x28]), Buffer.from('"}')]))).oneLine()).toMatch(
      /bad\.cdx\.json:2: not valid UTF-8 \(byte 34\)/,
    );
    expect((await streamError(Buffer.from('\ufeff{}', 'utf16le'))).oneLine()).toMatch(/UTF-16/);
  });

  it('trailing data after the document', async () => {
    expect((await streamError('{"bomFormat": "CycloneDX"} {"x": 1}')).oneLine()).toMatch(/not valid JSON/);
  });
});

describe('inputs past the in-memory bound (sparse files: nothing is written or read whole)', () => {
  it('a 600 MiB file is accepted as an input, but read() refuses it: only a streaming reader takes it', async () => {
    const file = path.join(tmp('big'), 'big.json');
    await sparse(file, 600 * 1024 * 1024);
    const input = await fileInput(file);
    expect(input.size).toBe(600 * 1024 * 1024);
    await expect(input.read()).rejects.toMatchObject({ code: 'INPUT_TOO_LARGE' });
    expect(input.stream).toBeDefined();
  });

  it('a 600 MiB CycloneDX name full of NUL bytes is refused after its first chunk, not read to the end', async () => {
    const file = path.join(tmp('big'), 'zeros.cdx.json');
    await sparse(file, 600 * 1024 * 1024);
    const before = process.memoryUsage().rss;
    const e = await readCycloneDxInput(await fileInput(file)).catch((x: unknown) => x);
    expect(isVouchError(e) && e.oneLine()).toMatch(/zeros\.cdx\.json: binary data where text was expected/);
    expect(process.memoryUsage().rss - before).toBeLessThan(200 * 1024 * 1024);
  });

  it('over 2 GiB is refused up front, with the limit named', async () => {
    const file = path.join(tmp('big'), 'huge.cdx.json');
    await sparse(file, MAX_STREAM_INPUT_BYTES + 1);
    const e = await fileInput(file).catch((x: unknown) => x);
    expect(isVouchError(e) && e.code).toBe('INPUT_TOO_LARGE');
    expect(isVouchError(e) && e.oneLine()).toContain(`over the ${MAX_STREAM_INPUT_BYTES}-byte limit`);
  });
});
