/**
 * A Debian SBOM read back: the release and the source package survive (purl `distro` and
 * `upstream`, as vouch and Syft write them), so matching a vouch SBOM later — or Syft's, or
 * Trivy's — uses the same advisory identity as scanning the root file system did.
 */
import { describe, expect, it } from 'vitest';
import type { Component } from '../../model/component.js';
import type { Inventory } from '../../model/inventory.js';
import { parsePurl } from '../../model/purl.js';
import { readCycloneDx } from '../../sbom/cyclonedx-read.js';
import { writeCycloneDxJson, writeCycloneDxXml } from '../../sbom/cyclonedx-write.js';
import { readSpdx } from '../../sbom/spdx-read.js';
import { writeSpdxJson } from '../../sbom/spdx-write.js';
import { lockfileCases } from '../../testing/lockfile-conformance.js';
import { HAS_SHARED } from '../../testing/shared.js';
import { parseDpkgStatus } from './dpkg-status.js';
import { debianFromPurl } from './purl.js';

const STATUS = `Package: libc6
Status: install ok installed
Architecture: amd64
Source: glibc
Version: 2.36-9+deb12u4

Package: bsdutils
Status: install ok installed
Architecture: amd64
Source: util-linux (2.38.1-5+deb12u1)
Version: 1:2.38.1-5+deb12u1

Package: bash
Status: install ok installed
Architecture: amd64
Version: 5.2.15-2+b2
`;

/** What matching uses: ecosystem, advisory name and version. */
const identities = (inv: Inventory): string[] =>
  [...inv.graph.components.values()].map((c: Component) => `${c.ecosystem} ${c.advisoryName ?? c.name}@${c.advisoryVersion ?? c.version}`).sort();

describe('Debian purls read back', () => {
  it.each([
    // Syft
    ['pkg:deb/debian/libc6@2.36-9+deb12u4?arch=amd64&distro=debian-12&upstream=glibc', { ecosystem: 'Debian:12', advisoryName: 'glibc' }],
    ['pkg:deb/ubuntu/openssl@3.0.2-0ubuntu1.15?arch=amd64&upstream=openssl%403.0.2-0ubuntu1.15&distro=ubuntu-22.04', { ecosystem: 'Ubuntu:22.04' }],
    ['pkg:deb/debian/bsdutils@1:2.38.1-5+deb12u1?distro=debian-12&upstream=util-linux%402.38.1-5%2Bdeb12u1', { ecosystem: 'Debian:12', advisoryName: 'util-linux', advisoryVersion: '2.38.1-5+deb12u1' }],
    // Trivy writes the point release; the purl specification's example uses the code name
    ['pkg:deb/debian/libc6@2.36-9+deb12u4?arch=amd64&distro=debian-12.5', { ecosystem: 'Debian:12' }],
    ['pkg:deb/debian/curl@7.50.3-1?arch=i386&distro=jessie', { ecosystem: 'Debian:8' }],
    // nothing vouch can place: the plain ecosystem (every release) stays
    ['pkg:deb/debian/curl@7.50.3-1?distro=sid', {}],
    ['pkg:deb/debian/curl@7.50.3-1', {}],
  ])('%s', (purl, expected) => {
    expect(debianFromPurl(parsePurl(purl))).toEqual(expected);
  });

  const inv = parseDpkgStatus(STATUS, 'var/lib/dpkg/status', {
    release: { osRelease: { id: 'debian', idLike: [], versionId: '12', versionCodename: 'bookworm', file: 'etc/os-release' }, debianVersion: '12.5' },
  });
  const opts = { subjectName: 'rootfs', deterministic: true };

  it('keeps release and source package through CycloneDX JSON, CycloneDX XML and SPDX', () => {
    const want = ['Debian:12 bash@5.2.15-2+b2', 'Debian:12 glibc@2.36-9+deb12u4', 'Debian:12 util-linux@2.38.1-5+deb12u1'];
    expect(identities(inv)).toEqual(want);
    expect(identities(readCycloneDx(writeCycloneDxJson(inv.graph, opts), 'sbom.cdx.json'))).toEqual(want);
    expect(identities(readCycloneDx(writeCycloneDxXml(inv.graph, opts), 'sbom.cdx.xml'))).toEqual(want);
    expect(identities(readSpdx(writeSpdxJson(inv.graph, opts), 'sbom.spdx.json'))).toEqual(want);
  });

  it('a stanza without a version comes back as an unresolved entry of the same release', () => {
    const withBroken = parseDpkgStatus(`${STATUS}\nPackage: broken\nStatus: install ok installed\nArchitecture: amd64\n`, 'var/lib/dpkg/status', {
      release: { osRelease: { id: 'debian', idLike: [], versionId: '12', versionCodename: 'bookworm', file: 'etc/os-release' }, debianVersion: '12.5' },
    });
    expect(withBroken.unresolved.map((u) => `${u.ecosystem} ${u.name}`)).toEqual(['Debian:12 broken']);
    const back = readCycloneDx(writeCycloneDxJson(withBroken.graph, { ...opts, unresolved: withBroken.unresolved }), 'sbom.cdx.json');
    expect(back.unresolved.map((u) => `${u.ecosystem} ${u.name}`)).toEqual(['Debian:12 broken']);
  });

  describe.skipIf(!HAS_SHARED)('osv-scanner v1 dpkg cases through a CycloneDX round trip', () => {
    const cases = lockfileCases(['osv-scanner-v1/dpkg']).filter((x) => x.c.fixtureExists && !x.c.expectError);
    it('has the cases', () => expect(cases.length).toBeGreaterThan(4));
    it.each(cases.map((x) => [x.label, x] as const))('%s: the same advisory identities after writing and reading', async (_label, { file }) => {
      const { readFile } = await import('node:fs/promises');
      const direct = parseDpkgStatus(await readFile(file, 'utf8'), file);
      expect(identities(readCycloneDx(writeCycloneDxJson(direct.graph, opts), 'sbom.cdx.json'))).toEqual(identities(direct));
    });
  });
});
