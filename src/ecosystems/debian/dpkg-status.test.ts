/**
 * dpkg status: osv-scanner v1's conformance cases (exact package sets), and the parts the
 * fixtures do not show (os-release, Ubuntu, status.d, purls, lines, source versions).
 */
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Inventory } from '../../model/inventory.js';
import { fileInput, memoryInput } from '../../io/input.js';
import { versioning } from './versioning.js';
import { dpkgStatusExtractor, parseDpkgStatus } from './dpkg-status.js';
import { errorOf, lockfileCases } from '../../testing/lockfile-conformance.js';
import { HAS_SHARED } from '../../testing/shared.js';

/** `advisoryName@advisoryVersion ecosystem` (what is matched against OSV, as the peers report it) of every component, plus `name@ ecosystem` of every unresolved entry. */
function packageSet(inv: Inventory): string[] {
  const out = [...inv.graph.components.values()].map((c) => `${c.advisoryName ?? c.name}@${c.advisoryVersion ?? c.version} ${c.ecosystem}`);
  for (const u of inv.unresolved) out.push(`${u.name}@ ${u.ecosystem}`);
  return [...new Set(out)].sort();
}

/**
 * osv-scanner v1 names each package by its source package; so does `advisoryName`. Known
 * difference: v1 reports a stanza that has `Source:` but no `Package:` under the source name
 * (malformed_status: util-linux); vouch skips a stanza without `Package` with a warning.
 */
const DEVIATIONS: Record<string, string[]> = {
  malformed_status: ['util-linux@2.36.1-8+deb11u1 Debian'],
};

describe.skipIf(!HAS_SHARED)('dpkg status: osv-scanner v1 conformance', () => {
  const cases = lockfileCases(['osv-scanner-v1/dpkg']);
  it('has the cases', () => expect(cases.length).toBe(8));

  it.each(cases.map((x) => [x.label, x] as const))('%s', async (_label, { c, file }) => {
    if (!c.fixtureExists) {
      const e = await errorOf(fileInput(file).then((i) => dpkgStatusExtractor.extract(i)));
      expect(e.code).toBe('INPUT_MISSING');
      return;
    }
    const inv = await dpkgStatusExtractor.extract(await fileInput(file));
    const want = (c.expectedPackages ?? []).map((p) => `${p.name}@${p.version} ${p.ecosystem}`);
    const skipped = DEVIATIONS[c.fixture] ?? [];
    expect(packageSet(inv)).toEqual([...new Set(want.filter((w) => !skipped.includes(w)))].sort());
    for (const comp of inv.graph.components.values()) expect(versioning.parse(comp.version), comp.version).toBeDefined();
  });
});

const STATUS = `Package: libc6
Status: install ok installed
Architecture: amd64
Multi-Arch: same
Source: glibc
Version: 2.36-9+deb12u4
Description: GNU C Library: Shared libraries
 Contains the standard libraries that are used by nearly all programs on
 the system.

Package: bsdutils
Status: install ok installed
Architecture: amd64
Source: util-linux (2.38.1-5+deb12u1)
Version: 1:2.38.1-5+deb12u1

Package: removed
Status: deinstall ok config-files
Architecture: amd64
Version: 1.0-1

Package: held
Status: hold ok installed
Architecture: all
Version: 2.0-1

Package: broken
Status: install reinstreq half-installed
Version: 3.0-1
`;

describe('dpkg status: fields', () => {
  it('names, source names and versions, purls, lines', () => {
    const inv = parseDpkgStatus(STATUS, 'status', {
      release: { osRelease: { id: 'debian', idLike: [], versionId: '12', versionCodename: 'bookworm', file: 'etc/os-release' }, debianVersion: '12.5' },
    });
    const byName = new Map([...inv.graph.components.values()].map((c) => [c.name, c]));
    expect([...byName.keys()].sort()).toEqual(['bsdutils', 'held', 'libc6']);
    const libc = byName.get('libc6')!;
    expect(libc).toMatchObject({ ecosystem: 'Debian:12', version: '2.36-9+deb12u4', advisoryName: 'glibc', direct: true, scope: 'prod' });
    expect(libc.purl).toBe('pkg:deb/debian/libc6@2.36-9%2Bdeb12u4?arch=amd64&distro=debian-12&upstream=glibc');
    expect(libc.locations).toEqual([{ path: 'status', line: 1 }]);
    const bsd = byName.get('bsdutils')!;
    // the source version (no binary-only epoch) is what advisories compare against; the component and its purl keep the binary's
    expect(bsd).toMatchObject({ version: '1:2.38.1-5+deb12u1', advisoryVersion: '2.38.1-5+deb12u1', advisoryName: 'util-linux' });
    expect(bsd.purl).toBe('pkg:deb/debian/bsdutils@1:2.38.1-5%2Bdeb12u1?arch=amd64&distro=debian-12&upstream=util-linux%402.38.1-5%2Bdeb12u1');
    expect(bsd.locations[0]!.line).toBe(11);
    expect(byName.get('held')!.advisoryName).toBeUndefined();
    expect(inv.warnings).toEqual([]);
    expect([...inv.graph.edges.get('root:status')!].length).toBe(3);
  });

  it('Ubuntu: ecosystem Ubuntu:<VERSION_ID>, purl namespace ubuntu', () => {
    const inv = parseDpkgStatus(STATUS, 'status', {
      release: { osRelease: { id: 'ubuntu', idLike: ['debian'], versionId: '22.04', versionCodename: 'jammy', file: 'etc/os-release' }, debianVersion: 'bookworm/sid' },
    });
    const libc = [...inv.graph.components.values()].find((c) => c.name === 'libc6')!;
    expect(libc.ecosystem).toBe('Ubuntu:22.04');
    expect(libc.purl).toBe('pkg:deb/ubuntu/libc6@2.36-9%2Bdeb12u4?arch=amd64&distro=ubuntu-22.04&upstream=glibc');
  });

  it('unknown release: ecosystem Debian and a warning', () => {
    const inv = parseDpkgStatus(STATUS, 'status');
    expect(new Set([...inv.graph.components.values()].map((c) => c.ecosystem))).toEqual(new Set(['Debian']));
    expect(inv.warnings.join('\n')).toMatch(/release unknown/);
    expect([...inv.graph.components.keys()][0]).not.toContain('distro=');
  });

  it('no version: unresolved with its line; not a status file: nothing', () => {
    const inv = parseDpkgStatus('Package: x\nStatus: install ok installed\n', 'status');
    expect(inv.graph.components.size).toBe(0);
    expect(inv.unresolved).toEqual([expect.objectContaining({ name: 'x', line: 1 })]);
    expect(parseDpkgStatus('astroid==2.5.1\n', 'status').graph.components.size).toBe(0);
  });

  it('wants the exact database paths only', () => {
    for (const p of ['/var/lib/dpkg/status', 'var/lib/dpkg/status', '/r/var/lib/dpkg/status.d/base-files', 'img/var/lib/dpkg/status.d/libc6']) {
      expect(dpkgStatusExtractor.wants(p), p).toBe(true);
    }
    for (const p of ['/var/lib/dpkg/status-old', '/var/lib/dpkg/status.d/libc6.md5sums', '/x/status', '/var/lib/dpkg/status.d/a/b', '/var/lib/dpkg/available']) {
      expect(dpkgStatusExtractor.wants(p), p).toBe(false);
    }
    expect(dpkgStatusExtractor.parseAs).toContain('dpkg-status');
  });
});

describe('dpkg status: release from the root file system', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'vouch-dpkg-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function rootfs(name: string, osRelease: string | undefined, opts: { link?: boolean; statusD?: boolean } = {}): Promise<string> {
    const root = path.join(dir, name);
    await mkdir(path.join(root, 'var/lib/dpkg/status.d'), { recursive: true });
    await mkdir(path.join(root, 'etc'), { recursive: true });
    await mkdir(path.join(root, 'usr/lib'), { recursive: true });
    if (osRelease !== undefined) {
      if (opts.link) {
        await writeFile(path.join(root, 'usr/lib/os-release'), osRelease);
        // absolute, as Debian ships it relative: must resolve inside the root, not on the host
        await symlink('/usr/lib/os-release', path.join(root, 'etc/os-release'));
      } else {
        await writeFile(path.join(root, 'etc/os-release'), osRelease);
      }
    }
    const file = opts.statusD ? 'var/lib/dpkg/status.d/libc6' : 'var/lib/dpkg/status';
    await writeFile(path.join(root, file), opts.statusD ? STATUS.split('\n\n')[0]!.replace(/^Status:.*\n/m, '') : STATUS);
    return path.join(root, file);
  }

  it('etc/os-release VERSION_ID → Debian:<major>', async () => {
    const f = await rootfs('deb', 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nID=debian\nVERSION_ID="12"\n');
    const inv = await dpkgStatusExtractor.extract(await fileInput(f));
    expect([...inv.graph.components.values()].map((c) => c.ecosystem)).toEqual(['Debian:12', 'Debian:12', 'Debian:12']);
  });

  it('an absolute os-release symlink resolves inside the root', async () => {
    const f = await rootfs('ubu', 'ID=ubuntu\nID_LIKE=debian\nVERSION_ID="24.04"\n', { link: true });
    const inv = await dpkgStatusExtractor.extract(await fileInput(f));
    expect([...inv.graph.components.values()][0]!.ecosystem).toBe('Ubuntu:24.04');
  });

  it('status.d (distroless): no Status field, still installed', async () => {
    const f = await rootfs('distroless', 'ID=debian\nVERSION_ID="12"\n', { statusD: true });
    const inv = await dpkgStatusExtractor.extract(await fileInput(f));
    expect([...inv.graph.components.keys()]).toEqual(['pkg:deb/debian/libc6@2.36-9%2Bdeb12u4?arch=amd64&distro=debian-12&upstream=glibc']);
  });

  it('no os-release: Debian with a warning', async () => {
    const f = await rootfs('bare', undefined);
    const inv = await dpkgStatusExtractor.extract(await fileInput(f));
    expect([...inv.graph.components.values()][0]!.ecosystem).toBe('Debian');
    expect(inv.warnings.join('\n')).toMatch(/release unknown/);
  });

  it('a file named on its own (memory, archive member) reads no os-release', async () => {
    const inv = await dpkgStatusExtractor.extract(memoryInput('x.tar!/var/lib/dpkg/status', STATUS));
    expect([...inv.graph.components.values()][0]!.ecosystem).toBe('Debian');
  });
});
