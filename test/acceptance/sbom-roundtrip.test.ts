/**
 * Nothing lost between a lockfile and vouch's own SBOM of it, nor in an SBOM another tool wrote:
 * purls as the purl specification says (case kept where the type is case-sensitive, `+` as `%2B`),
 * read back to the same components and so to the same findings. On the OSV corpus in ../shared/osv.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { HAS_SHARED, shared } from '../../src/testing/shared.js';
import { inPool, useOsvStore, vouch, vouchAsync } from './helpers.js';

interface ScanJson {
  inputs: { path: string; status: string; warnings: string[] }[];
  findings: { id: string; purl: string; locations: { path: string }[] }[];
}

describe.skipIf(!HAS_SHARED)('purls read back: SBOMs of other tools and vouch’s own', () => {
  const store = useOsvStore();
  const env = store.env;

  function scan(files: string[]): ScanJson {
    const r = vouch(['scan', ...files, '-f', 'json'], env());
    expect(r.stderr, r.stderr).not.toMatch(/internal error|at .*\.js:\d+/);
    expect([0, 1], r.stderr).toContain(r.code);
    return JSON.parse(r.stdout) as ScanJson;
  }

  /** `purl advisory-id` of each finding, per file the finding's component was read from. */
  function byFile(r: ScanJson): Map<string, Set<string>> {
    const out = new Map<string, Set<string>>();
    for (const f of r.findings) {
      for (const l of f.locations) {
        let s = out.get(l.path);
        if (!s) out.set(l.path, (s = new Set()));
        s.add(`${f.purl} ${f.id}`);
      }
    }
    return out;
  }

  it('a CycloneDX SBOM with docker’s +incompatible Go version, percent-encoded as Syft, cdxgen and Trivy write it, reports docker’s Go advisories', () => {
    const file = path.join(store.work, 'docker.cdx.json');
    writeFileSync(
      file,
      JSON.stringify({
        bomFormat: 'CycloneDX',
        specVersion: '1.5',
        version: 1,
        metadata: { component: { type: 'application', name: 'app', 'bom-ref': 'app' } },
        components: [
          {
            type: 'library',
            'bom-ref': 'pkg:golang/github.com/docker/docker@v19.03.0%2Bincompatible?package-id=1',
            name: 'github.com/docker/docker',
            version: 'v19.03.0+incompatible',
            purl: 'pkg:golang/github.com/docker/docker@v19.03.0%2Bincompatible',
          },
        ],
      }),
    );
    const r = vouch(['scan', file, '-f', 'json'], env());
    expect(r.code, r.stderr).toBe(1);
    const doc = JSON.parse(r.stdout) as ScanJson;
    expect(doc.inputs).toEqual([expect.objectContaining({ status: 'ok', warnings: [] })]);
    // The 17 records of shared/osv/Go whose github.com/docker/docker ranges hold v19.03.0+incompatible,
    // found with an independent reading (node-semver over the SEMVER events, outside vouch).
    expect(doc.findings.map((f) => f.id).sort()).toEqual([
      'GO-2022-0390', 'GO-2022-0985', 'GO-2022-1107', 'GO-2023-1699', 'GO-2023-1700', 'GO-2023-1701', 'GO-2024-2500', 'GO-2024-2512',
      'GO-2024-2521', 'GO-2024-2913', 'GO-2024-2914', 'GO-2025-3829', 'GO-2026-4883', 'GO-2026-4887', 'GO-2026-5617', 'GO-2026-5668',
      'GO-2026-5746',
    ]);
    expect(new Set(doc.findings.map((f) => f.purl))).toEqual(new Set(['pkg:golang/github.com/docker/docker@v19.03.0%2Bincompatible']));
  });

  it('npm names keep their case: the SBOM of JSONStream names JSONStream, and jQuery and Morris.js keep their findings', () => {
    const dir = path.join(store.work, 'mixed-case');
    mkdirSync(dir);
    const lock = path.join(dir, 'package-lock.json');
    writeFileSync(
      lock,
      JSON.stringify({
        name: 'app',
        version: '1.0.0',
        lockfileVersion: 3,
        requires: true,
        packages: {
          '': { name: 'app', version: '1.0.0', dependencies: { JSONStream: '1.3.5', jQuery: '1.7.4', 'Morris.js': '0.5.0' } },
          'node_modules/JSONStream': { version: '1.3.5' },
          'node_modules/jQuery': { version: '1.7.4' },
          'node_modules/Morris.js': { version: '0.5.0' },
        },
      }),
    );
    // npm's legacy mixed-case packages have advisories of their own (shared/osv/npm): NSWG-ECO-496 for
    // jQuery (not jquery), NSWG-ECO-307 for Morris.js; none for JSONStream
    const want = ['pkg:npm/Morris.js@0.5.0 NSWG-ECO-307', 'pkg:npm/jQuery@1.7.4 NSWG-ECO-496'];
    const direct = scan([lock]).findings.map((f) => `${f.purl} ${f.id}`).sort();
    expect(direct).toEqual(want);

    const cdx = path.join(dir, 'sbom.cdx.json');
    const spdx = path.join(dir, 'sbom.spdx.json');
    expect(vouch(['sbom', lock, '-o', cdx], env()).code).toBe(0);
    expect(vouch(['sbom', lock, '-o', spdx], env()).code).toBe(0);
    const c = (JSON.parse(readFileSync(cdx, 'utf8')) as { components: { name: string; purl: string }[] }).components.find((x) => /jsonstream/i.test(x.name))!;
    expect(c).toMatchObject({ name: 'JSONStream', purl: 'pkg:npm/JSONStream@1.3.5' });
    const p = (JSON.parse(readFileSync(spdx, 'utf8')) as { packages: { name: string; externalRefs?: { referenceType: string; referenceLocator: string }[] }[] }).packages.find((x) =>
      /jsonstream/i.test(x.name),
    )!;
    expect(p.name).toBe('JSONStream');
    expect(p.externalRefs?.find((r) => r.referenceType === 'purl')?.referenceLocator).toBe('pkg:npm/JSONStream@1.3.5');

    for (const sbom of [cdx, spdx]) expect(scan([sbom]).findings.map((f) => `${f.purl} ${f.id}`).sort(), sbom).toEqual(want);
  });

  it('every lockfile of ../shared/realworld: its vouch SBOM (CycloneDX JSON, SPDX JSON) scans to exactly its findings', async () => {
    // every input vouch reads in ../shared/realworld (lockfiles, and the manifests it reads where there is none)
    const inputs = scan([shared('realworld')]).inputs.filter((i) => i.status === 'ok').map((i) => i.path);
    expect(inputs.length).toBeGreaterThanOrEqual(90);
    const direct = byFile(scan(inputs));
    expect([...direct.values()].reduce((n, s) => n + s.size, 0)).toBeGreaterThan(300);

    const out = path.join(store.work, 'realworld');
    mkdirSync(out);
    const sboms: { input: string; format: string; file: string }[] = inputs.flatMap((input, i) => [
      { input, format: 'cyclonedx-json', file: path.join(out, `${i}.cdx.json`) },
      { input, format: 'spdx-json', file: path.join(out, `${i}.spdx.json`) },
    ]);
    const runs = await inPool(sboms, 3, (s) => vouchAsync(['sbom', s.input, '-f', s.format, '-o', s.file], env()));
    runs.forEach((r, i) => expect(r.code, `${sboms[i]!.input}: ${r.stderr}`).toBe(0));

    for (const format of ['cyclonedx-json', 'spdx-json']) {
      const mine = sboms.filter((s) => s.format === format);
      const read = scan(mine.map((s) => s.file));
      expect(read.inputs.filter((i) => i.status !== 'ok' || i.warnings.length), format).toEqual([]);
      const back = byFile(read);
      const differences: string[] = [];
      for (const s of mine) {
        const want = direct.get(s.input) ?? new Set<string>();
        const got = back.get(s.file) ?? new Set<string>();
        for (const x of want) if (!got.has(x)) differences.push(`${s.input}: lost ${x}`);
        for (const x of got) if (!want.has(x)) differences.push(`${s.input}: gained ${x}`);
      }
      expect(differences, format).toEqual([]);
    }
  }, 300_000);
});
