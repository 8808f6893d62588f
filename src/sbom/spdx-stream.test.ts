/**
 * An SPDX 2 JSON document too large for one string is read as it streams in (readSpdxInput →
 * io/json-stream.ts). It must give exactly the Inventory of the in-memory reader: every test here
 * reads the same bytes both ways, forcing the streaming path with a threshold of 0 (and an input
 * whose read() fails, so the whole-text path cannot be taken by mistake) and, for token and line
 * boundaries, with chunks a few bytes long.
 */
import { closeSync, openSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { truncate } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { fileInput } from '../io/input.js';
import { isVouchError, type VouchError } from '../model/errors.js';
import type { InputFile, Inventory } from '../model/inventory.js';
import { plainInventory as plain } from '../testing/inventory-plain.js';
import { HAS_SHARED, shared } from '../testing/shared.js';
import { tempFolders } from '../testing/temp.js';
import { readSpdx, readSpdxInput, spdxExtractor } from './spdx-read.js';

const { tmp } = tempFolders('vouch-spdx-stream-');
const FIXTURES = path.join(import.meta.dirname, '__fixtures__');

/** The file as an input that can only be streamed (in chunks of `size` bytes when given). */
function streamOnly(input: InputFile, size?: number): InputFile {
  return {
    ...input,
    read: () => Promise.reject(new Error('the streaming path was not taken')),
    async *stream() {
      for await (const c of input.stream!()) {
        if (size === undefined) yield c;
        else for (let i = 0; i < c.length; i += size) yield c.subarray(i, i + size);
      }
    },
  };
}

async function streamed(file: string, size?: number): Promise<Inventory> {
  return readSpdxInput(streamOnly(await fileInput(file), size), { streamAbove: 0 });
}

async function bothWays(file: string, chunkSizes: number[] = []): Promise<Inventory> {
  const text = readFileSync(file, 'utf8').replace(/^\uFEFF/, '');
  const whole = readSpdx(text, file);
  expect(plain(await streamed(file))).toEqual(plain(whole));
  for (const size of chunkSizes) expect(plain(await streamed(file, size))).toEqual(plain(whole));
  return whole;
}

async function streamError(content: string | Buffer): Promise<VouchError> {
  const file = path.join(tmp('err'), 'bad.spdx.json');
  writeFileSync(file, content);
  try {
    await streamed(file);
  } catch (e) {
    if (isVouchError(e)) return e;
    throw e;
  }
  throw new Error('expected a VouchError');
}

describe('SPDX JSON read as it streams = read whole', () => {
  it('the webapp fixture, in one piece and in chunks of 1, 7 and 64 bytes (tokens and lines cut anywhere)', async () => {
    const inv = await bothWays(path.join(FIXTURES, 'webapp.spdx.json'), [1, 7, 64]);
    // the fixture's packages with a purl and a version (checked against the file, not the reader)
    expect(inv.graph.components.has('pkg:npm/react@18.2.0')).toBe(true);
    expect(inv.graph.components.get('pkg:npm/react@18.2.0')?.locations[0]?.line).toBe(
      readFileSync(path.join(FIXTURES, 'webapp.spdx.json'), 'utf8').split('\n').findIndex((l) => l.includes('"SPDXRef-react"')) + 1,
    );
  });

  it('relationships before packages, a repeated SPDXID, bad items, files and snippets, a key split over lines, a BOM', async () => {
    const doc = `\uFEFF{
  "relationships": [
    { "spdxElementId": "SPDXRef-DOCUMENT", "relationshipType": "DESCRIBES", "relatedSpdxElement": "SPDXRef-app" },
    { "spdxElementId": "SPDXRef-app", "relationshipType": "DEPENDS_ON", "relatedSpdxElement": "SPDXRef-a" },
    { "spdxElementId": "SPDXRef-b", "relationshipType": "DEV_DEPENDENCY_OF", "relatedSpdxElement": "SPDXRef-app" },
    { "spdxElementId": "SPDXRef-app", "relationshipType": "CONTAINS", "relatedSpdxElement": "SPDXRef-file1" },
    { "spdxElementId": "SPDXRef-app", "relationshipType": "DEPENDS_ON", "relatedSpdxElement": "SPDXRef-ghost" },
    { "spdxElementId": "SPDXRef-app" },
    "not a relationship"
  ],
  "packages": [
    { "SPDXID": "SPDXRef-app", "name": "app", "versionInfo": "1.0.0",
      "externalRefs": [ { "referenceCategory": "PACKAGE-MANAGER", "referenceType": "purl", "referenceLocator": "pkg:npm/app@1.0.0" } ] },
    { "SPDXID"
        :
        "SPDXRef-a", "name": "lodash", "versionInfo": "4.17.15", "licenseConcluded": "MIT",
      "checksums": [ { "algorithm": "SHA1", "checksumValue": "${'ab'.repeat(20)}" } ],
      "externalRefs": [ { "referenceCategory": "PACKAGE_MANAGER", "referenceType": "purl", "referenceLocator": "pkg:npm/lodash@4.17.15" },
                        { "referenceCategory": "PACKAGE_MANAGER", "referenceType": "purl", "referenceLocator": "pkg:nope" } ] },
    { "SPDXID": "SPDXRef-b", "name": "minimist", "versionInfo": "0.0.8",
      "externalRefs": [ { "referenceCategory": "PACKAGE_MANAGER", "referenceType": "purl", "referenceLocator": "pkg:npm/minimist@0.0.8" } ] },
    { "SPDXID": "SPDXRef-a", "name": "again", "versionInfo": "NOASSERTION",
      "externalRefs": [ { "referenceCategory": "PACKAGE_MANAGER", "referenceType": "purl", "referenceLocator": "pkg:npm/again" } ] },
    { "name": "no-purl", "versionInfo": "1.0.0" },
    42
  ],
  "files": [ { "SPDXID": "SPDXRef-file1", "fileName": "./index.js" }, "not a file" ],
  "snippets": { "SPDXID": "SPDXRef-snippet" },
  "spdxVersion": "SPDX-2.3",
  "SPDXID": "SPDXRef-DOCUMENT",
  "name": "mixed"
}
`;
    const file = path.join(tmp('mixed'), 'mixed.spdx.json');
    writeFileSync(file, doc);
    const inv = await bothWays(file, [3, 11]);
    // the reader saw what it should (checked against the text above, not the reader's output)
    expect([...inv.graph.components.keys()].sort()).toEqual(['pkg:npm/app@1.0.0', 'pkg:npm/lodash@4.17.15', 'pkg:npm/minimist@0.0.8']);
    // the key "SPDXID" of lodash is on line 14 (its value on line 16): the key's line, as the whole-text reader finds it
    expect(inv.graph.components.get('pkg:npm/lodash@4.17.15')?.locations[0]?.line).toBe(14);
    expect(inv.graph.components.get('pkg:npm/minimist@0.0.8')?.scope).toBe('dev');
    const warnings = inv.warnings.join('\n');
    expect(warnings).toMatch(/\$\.packages\[5\]: not a package object/);
    expect(warnings).toMatch(/\$\.relationships\[5\]: incomplete relationship/);
    expect(warnings).toMatch(/\$\.snippets: not a list; ignored/);
    expect(warnings).toMatch(/SPDXRef-ghost/);
    expect(warnings).not.toMatch(/SPDXRef-file1/);
  });

  it('a second "packages" key (the last counts, as in JSON.parse), packages that are not a list, SPDX 2.2', async () => {
    const dir = tmp('shapes');
    const pkg = (name: string) => ({ SPDXID: `SPDXRef-${name}`, name, versionInfo: '1.0.0', externalRefs: [{ referenceCategory: 'PACKAGE_MANAGER', referenceType: 'purl', referenceLocator: `pkg:npm/${name}@1.0.0` }] });
    const a = path.join(dir, 'a.spdx.json');
    writeFileSync(a, `{"spdxVersion": "SPDX-2.2", "packages": [${JSON.stringify(pkg('x'))}], "name": "n", "packages": [${JSON.stringify(pkg('y'))}]}`);
    expect([...(await bothWays(a)).graph.components.keys()]).toEqual(['pkg:npm/y@1.0.0']);
    const b = path.join(dir, 'b.spdx.json');
    writeFileSync(b, JSON.stringify({ spdxVersion: 'SPDX-2.3', packages: { x: pkg('x') }, relationships: 'none' }));
    expect((await bothWays(b)).warnings).toEqual(['$.packages: not a list; ignored', '$.relationships: not a list; ignored']);
  });

  it('a generated document of 3,000 packages with a graph, in 4 KiB chunks', async () => {
    const packages = [];
    const relationships = [{ spdxElementId: 'SPDXRef-DOCUMENT', relationshipType: 'DESCRIBES', relatedSpdxElement: 'SPDXRef-p0' }];
    for (let i = 0; i < 3000; i++) {
      const name = `p${i % 2500}`;
      const version = `1.${i % 7}.0`;
      packages.push({ SPDXID: `SPDXRef-p${i}`, name, versionInfo: version, externalRefs: [{ referenceCategory: 'PACKAGE-MANAGER', referenceType: 'purl', referenceLocator: `pkg:npm/${name}@${version}` }] });
      for (const j of [2 * i + 1, 2 * i + 2]) if (j < 3000) relationships.push({ spdxElementId: `SPDXRef-p${i}`, relationshipType: 'DEPENDS_ON', relatedSpdxElement: `SPDXRef-p${j}` });
    }
    const file = path.join(tmp('gen'), 'gen.spdx.json');
    writeFileSync(file, JSON.stringify({ spdxVersion: 'SPDX-2.3', SPDXID: 'SPDXRef-DOCUMENT', name: 'gen', packages, relationships }, null, 2));
    const inv = await bothWays(file, [4096]);
    // 3,000 distinct purls (i and i + 2,500 differ in version: 2,500 mod 7 = 1)
    expect(inv.graph.components.size).toBe(3000);
  });

  it('tag-value is read whole whatever its size', async () => {
    const file = path.join(FIXTURES, 'webapp.spdx');
    const whole = readSpdx(readFileSync(file, 'utf8'), file);
    expect(plain(await readSpdxInput(await fileInput(file), { streamAbove: 0 }))).toEqual(plain(whole));
  });
});

describe.skipIf(!HAS_SHARED)('SPDX JSON read as it streams = read whole, on ../shared/conformance', () => {
  const files: string[] = [];
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (/\.json$/.test(e.name)) files.push(p);
    }
  };
  if (HAS_SHARED) walk(shared('conformance', 'spdx'));

  it('every JSON document of the SPDX corpus (2.2 and 2.3 examples, SPDX 3, schemas) gives the same inventory or the same refusal', async () => {
    let read = 0;
    for (const file of files) {
      const text = readFileSync(file, 'utf8').replace(/^\uFEFF/, '');
      let whole: Inventory | VouchError;
      try {
        whole = readSpdx(text, file);
        read++;
      } catch (e) {
        if (!isVouchError(e)) throw e;
        whole = e;
      }
      let s: Inventory | VouchError;
      try {
        s = await streamed(file);
      } catch (e) {
        if (!isVouchError(e)) throw e;
        s = e;
      }
      if (isVouchError(whole)) {
        expect(isVouchError(s) ? `${s.code} ${s.message}` : 'read', file).toBe(`${whole.code} ${whole.message}`);
      } else {
        expect(isVouchError(s) ? s.oneLine() : plain(s), file).toEqual(plain(whole));
      }
    }
    // the corpus holds SPDX 2.2 / 2.3 JSON documents that are read, not only refusals
    expect(read).toBeGreaterThanOrEqual(8);
  });
});

describe('SPDX JSON read as it streams: bad input is one line', () => {
  it('invalid JSON names the line', async () => {
    const e = await streamError('{\n  "spdxVersion": "SPDX-2.3",\n  "packages": [ {"SPDXID": } ]\n}\n');
    expect(e.code).toBe('INPUT_PARSE');
    expect(e.oneLine()).toMatch(/bad\.spdx\.json:3: not valid JSON/);
  });

  it('not an object, CycloneDX, SPDX 3, no version, another version', async () => {
    expect((await streamError('[1, 2]')).oneLine()).toMatch(/not an SPDX document: the JSON is not an object/);
    expect((await streamError('{"bomFormat": "CycloneDX", "components": []}')).oneLine()).toMatch(/not an SPDX 2 document: a CycloneDX document/);
    expect((await streamError('{"@context": "https://spdx.org/rdf/3.0.1/spdx-context.jsonld", "@graph": []}')).oneLine()).toMatch(/SPDX 3 \(JSON-LD\)/);
    expect((await streamError('{"packages": []}')).oneLine()).toMatch(/JSON without "spdxVersion"/);
    expect((await streamError('{"spdxVersion": "SPDX-3.0", "packages": []}')).oneLine()).toMatch(/SPDX-3\.0 is not read/);
  });

  it('binary data and bytes that are not UTF-8', async () => {
    expect((await streamError(Buffer.from([0x7b, 0x00, 0x7d]))).oneLine()).toMatch(/binary data/);
    expect((await streamError(Buffer.concat([Buffer.from('{\n"spdxVersion": "SPDX-2.3", "x": "'), Buffer.from([0xc3, 0x28]), Buffer.from('"}')]))).oneLine()).toMatch(
      /bad\.spdx\.json:2: not valid UTF-8/,
    );
  });
});

describe('an SPDX JSON document past the in-memory bound (a sparse file: nothing is written or read whole)', () => {
  it('a 600 MiB .spdx.json goes to the streaming reader, which refuses its NUL bytes after the first chunk', async () => {
    const file = path.join(tmp('big'), 'zeros.spdx.json');
    closeSync(openSync(file, 'w'));
    await truncate(file, 600 * 1024 * 1024);
    // the first byte must look like JSON for the streaming path: write `{` over the first NUL
    const fd = openSync(file, 'r+');
    writeFileSync(fd, '{');
    closeSync(fd);
    const before = process.memoryUsage().rss;
    const e = await spdxExtractor.extract(await fileInput(file)).catch((x: unknown) => x);
    // not INPUT_TOO_LARGE (what read() says past 512 MiB): the bytes were streamed
    expect(isVouchError(e) && e.oneLine()).toMatch(/zeros\.spdx\.json: binary data where text was expected/);
    expect(process.memoryUsage().rss - before).toBeLessThan(200 * 1024 * 1024);
  });
});
