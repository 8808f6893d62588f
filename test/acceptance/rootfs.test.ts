/**
 * `vouch sbom --rootfs /` on a Debian machine lists the installed packages: as many `pkg:deb`
 * components found in /var/lib/dpkg/status as `dpkg-query -W` prints. Skipped (with a message)
 * on a machine without dpkg.
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { vouch } from './helpers.js';

const dpkg = spawnSync('dpkg-query', ['-W', '-f=${binary:Package}\\n'], { encoding: 'utf8' });
const HAS_DPKG = dpkg.status === 0 && dpkg.stdout.trim().length > 0;
if (!HAS_DPKG) console.warn('[vouch tests] dpkg-query is absent: the Debian rootfs test is skipped.');

interface Cdx {
  components?: { purl?: string; evidence?: { occurrences?: { location: string }[] } }[];
}

describe.skipIf(!HAS_DPKG)('vouch sbom --rootfs / on this Debian machine', () => {
  it('lists as many Debian packages as dpkg-query -W', { timeout: 300_000 }, () => {
    const r = vouch(['sbom', '--rootfs', '/', '--format', 'cyclonedx-json', '--quiet']);
    expect(r.code, r.stderr).toBe(0);
    const bom = JSON.parse(r.stdout) as Cdx;
    const fromStatus = (bom.components ?? []).filter(
      (c) => c.purl?.startsWith('pkg:deb/debian/') && c.evidence?.occurrences?.some((o) => o.location.startsWith('/var/lib/dpkg/status')),
    );
    const installed = new Set(dpkg.stdout.trim().split('\n'));
    expect(fromStatus.length).toBe(installed.size);
    expect(fromStatus.every((c) => /[?&]distro=debian-\d+/.test(c.purl!))).toBe(true);
  });
});
