/**
 * apk installed database: osv-scanner v1's conformance cases (exact package sets) and the parts
 * the fixtures do not show (os-release, origin, purls, lines).
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { baseEcosystem } from '../../model/advisory.js';
import type { Inventory } from '../../model/inventory.js';
import { fileInput } from '../../io/input.js';
import { errorOf, lockfileCases } from '../../testing/lockfile-conformance.js';
import { HAS_SHARED } from '../../testing/shared.js';
import { apkInstalledExtractor, parseApkInstalled } from './apk-installed.js';
import { versioning } from './versioning.js';

/**
 * `name@version` of every component plus `name@` of every unresolved entry (v1 reports a package
 * without version with an empty one). Ecosystems are compared by base name: the fixtures sit
 * without an os-release, so vouch says `Alpine` where the upstream test expected `Alpine:v3.20`.
 */
function packageSet(inv: Inventory): string[] {
  const out = [...inv.graph.components.values()].map((c) => `${c.name}@${c.version} ${baseEcosystem(c.ecosystem!)}`);
  for (const u of inv.unresolved) out.push(`${u.name}@ ${baseEcosystem(u.ecosystem!)}`);
  return [...new Set(out)].sort();
}

describe.skipIf(!HAS_SHARED)('apk installed: osv-scanner v1 conformance', () => {
  const cases = lockfileCases(['osv-scanner-v1/apk']);
  it('has the cases', () => expect(cases.length).toBe(7));

  it.each(cases.map((x) => [x.label, x] as const))('%s', async (_label, { c, file }) => {
    if (!c.fixtureExists) {
      const e = await errorOf(fileInput(file).then((i) => apkInstalledExtractor.extract(i)));
      expect(e.code).toBe('INPUT_MISSING');
      return;
    }
    const inv = await apkInstalledExtractor.extract(await fileInput(file));
    const want = (c.expectedPackages ?? []).map((p) => `${p.name}@${p.version} ${baseEcosystem(p.ecosystem ?? '')}`);
    expect(packageSet(inv)).toEqual([...new Set(want)].sort());
    for (const comp of inv.graph.components.values()) expect(versioning.parse(comp.version), comp.version).toBeDefined();
  });
});

const DB = `C:Q1/JgpM8J6DWI/541tUX+uHEzSjqo=
P:alpine-baselayout-data
V:3.4.0-r0
A:x86_64
L:GPL-2.0-only
o:alpine-baselayout
F:etc
R:fstab

C:Q1Ef3iwt+cMdGngEgaFr2URIJhKzQ=
P:libcrypto3
V:3.3.2-r0
A:aarch64
o:openssl
`;

describe('apk installed: fields', () => {
  it('names, origins, purls, lines, licences', () => {
    const inv = parseApkInstalled(DB, 'installed', { versionId: '3.20.3' });
    const [a, b] = [...inv.graph.components.values()];
    expect(a).toMatchObject({ name: 'alpine-baselayout-data', version: '3.4.0-r0', advisoryName: 'alpine-baselayout', ecosystem: 'Alpine:v3.20', licenses: ['GPL-2.0-only'] });
    expect(a!.purl).toBe('pkg:apk/alpine/alpine-baselayout-data@3.4.0-r0?arch=x86_64&distro=alpine-3.20.3&upstream=alpine-baselayout');
    expect(a!.locations).toEqual([{ path: 'installed', line: 1 }]);
    expect(b).toMatchObject({ name: 'libcrypto3', advisoryName: 'openssl' });
    expect(b!.locations[0]!.line).toBe(10);
    expect(inv.warnings).toEqual([]);
  });

  it('unknown release: ecosystem Alpine and a warning', () => {
    const inv = parseApkInstalled(DB, 'installed');
    expect([...inv.graph.components.values()][0]!.ecosystem).toBe('Alpine');
    expect(inv.warnings.join('\n')).toMatch(/release unknown/);
  });

  it('wants the exact database path only', () => {
    expect(apkInstalledExtractor.wants('/lib/apk/db/installed')).toBe(true);
    expect(apkInstalledExtractor.wants('img/lib/apk/db/installed')).toBe(true);
    expect(apkInstalledExtractor.wants('/lib/apk/db/installed.old')).toBe(false);
    expect(apkInstalledExtractor.wants('/x/installed')).toBe(false);
    expect(apkInstalledExtractor.parseAs).toContain('apk-installed');
  });
});

describe('apk installed: release from the root file system', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'vouch-apk-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('os-release VERSION_ID, else etc/alpine-release', async () => {
    for (const [name, file, content, want] of [
      ['a', 'etc/os-release', 'NAME="Alpine Linux"\nID=alpine\nVERSION_ID=3.19.1\n', 'Alpine:v3.19'],
      ['b', 'etc/alpine-release', '3.18.6\n', 'Alpine:v3.18'],
    ] as const) {
      const root = path.join(dir, name);
      await mkdir(path.join(root, 'lib/apk/db'), { recursive: true });
      await mkdir(path.join(root, 'etc'), { recursive: true });
      await writeFile(path.join(root, file), content);
      await writeFile(path.join(root, 'lib/apk/db/installed'), DB);
      const inv = await apkInstalledExtractor.extract(await fileInput(path.join(root, 'lib/apk/db/installed')));
      expect([...inv.graph.components.values()].map((c) => c.ecosystem)).toEqual([want, want]);
    }
  });
});
