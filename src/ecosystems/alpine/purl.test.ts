/** An Alpine SBOM read back: release branch (`distro`) and origin package (`upstream`) survive. */
import { describe, expect, it } from 'vitest';
import { parsePurl } from '../../model/purl.js';
import { readCycloneDx } from '../../sbom/cyclonedx-read.js';
import { writeCycloneDxJson } from '../../sbom/cyclonedx-write.js';
import { parseApkInstalled } from './apk-installed.js';
import { alpineFromPurl } from './purl.js';

describe('Alpine purls read back', () => {
  it.each([
    ['pkg:apk/alpine/libcrypto3@3.3.2-r0?arch=x86_64&distro=alpine-3.20.3&upstream=openssl', { ecosystem: 'Alpine:v3.20', advisoryName: 'openssl' }],
    ['pkg:apk/alpine/busybox@1.36.1-r29?arch=x86_64&distro=3.19.1', { ecosystem: 'Alpine:v3.19' }],
    ['pkg:apk/alpine/busybox@1.36.1-r29?distro=edge', {}],
    ['pkg:apk/alpine/busybox@1.36.1-r29?upstream=busybox', {}],
  ])('%s', (purl, expected) => {
    expect(alpineFromPurl(parsePurl(purl))).toEqual(expected);
  });

  it('keeps release and origin through CycloneDX', () => {
    const inv = parseApkInstalled('P:libcrypto3\nV:3.3.2-r0\nA:x86_64\no:openssl\n\nP:musl\nV:1.2.5-r0\nA:x86_64\no:musl\n', 'lib/apk/db/installed', { versionId: '3.20.3' });
    const back = readCycloneDx(writeCycloneDxJson(inv.graph, { subjectName: 'rootfs', deterministic: true }), 'sbom.cdx.json');
    const ids = (i: typeof inv): string[] => [...i.graph.components.values()].map((c) => `${c.ecosystem} ${c.advisoryName ?? c.name}@${c.version}`).sort();
    expect(ids(inv)).toEqual(['Alpine:v3.20 musl@1.2.5-r0', 'Alpine:v3.20 openssl@3.3.2-r0']);
    expect(ids(back)).toEqual(ids(inv));
  });
});
