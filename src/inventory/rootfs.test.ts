/**
 * scanRootfs: a root file system built in a temporary folder (OS database + a lockfile), the
 * defensive walk (symlinks, /proc, bad files, depth), relabelled paths, and — on a Debian host —
 * the host's own dpkg database against dpkg-query.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultExtractors } from './extractors.js';
import { readInRoot } from '../io/root.js';
import { scanRootfs } from './rootfs.js';

const OS_RELEASE = 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nNAME="Debian GNU/Linux"\nVERSION_ID="12"\nID=debian\n';
const STATUS = `Package: libssl3
Status: install ok installed
Architecture: amd64
Source: openssl
Version: 3.0.11-1~deb12u2

Package: zlib1g
Status: install ok installed
Architecture: amd64
Source: zlib
Version: 1:1.2.13.dfsg-1
`;
const LOCK = JSON.stringify(
  {
    name: 'app',
    version: '1.0.0',
    lockfileVersion: 3,
    requires: true,
    packages: {
      '': { name: 'app', version: '1.0.0', dependencies: { 'left-pad': '^1.3.0' } },
      'node_modules/left-pad': { version: '1.3.0', resolved: 'https://registry.npmjs.org/left-pad/-/left-pad-1.3.0.tgz' },
    },
  },
  null,
  2,
);

let dir: string;
let root: string;
let outside: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'vouch-rootfs-'));
  root = path.join(dir, 'root');
  outside = path.join(dir, 'outside');
  const w = async (rel: string, text: string, base = root): Promise<void> => {
    await mkdir(path.dirname(path.join(base, rel)), { recursive: true });
    await writeFile(path.join(base, rel), text);
  };
  await w('etc/os-release', OS_RELEASE);
  await w('var/lib/dpkg/status', STATUS);
  await w('srv/app/package-lock.json', LOCK);
  await w('srv/broken/package-lock.json', '{ "lockfileVersion": 3, "packages": ');
  // never read: kernel views at the root, a symlinked folder, a symlinked file, a dependency tree
  await w('proc/1/root/srv/package-lock.json', LOCK.replace('1.3.0', '9.9.9').replace('1.3.0', '9.9.9'));
  await w('srv/app/node_modules/x/package-lock.json', LOCK);
  await w('project/package-lock.json', LOCK.replace(/1\.3\.0/g, '2.0.0'), outside);
  await symlink(path.join(outside, 'project'), path.join(root, 'srv/linked'));
  await symlink(path.join(outside, 'project/package-lock.json'), path.join(root, 'srv/package-lock.json'));
  await w('deep/a/b/c/d/e/package-lock.json', LOCK);
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('scanRootfs: a root file system in a folder', () => {
  it('finds the OS packages and the lockfile; a bad file is a failed input, not an abort', async () => {
    const inv = await scanRootfs(root, defaultExtractors(), { maxDepth: 5 });
    const purls = [...inv.graph.components.keys()].sort();
    expect(purls).toEqual([
      'pkg:deb/debian/libssl3@3.0.11-1~deb12u2?arch=amd64&distro=debian-12&upstream=openssl',
      'pkg:deb/debian/zlib1g@1:1.2.13.dfsg-1?arch=amd64&distro=debian-12&upstream=zlib',
      'pkg:npm/left-pad@1.3.0',
    ]);
    const ssl = inv.graph.components.get(purls[0]!)!;
    expect(ssl).toMatchObject({ ecosystem: 'Debian:12', advisoryName: 'openssl', locations: [{ path: path.join(root, 'var/lib/dpkg/status'), line: 1 }] });
    const byPath = new Map(inv.inputs.map((i) => [path.relative(root, i.path), i]));
    expect([...byPath.keys()].sort()).toEqual(['srv/app/package-lock.json', 'srv/broken/package-lock.json', 'var/lib/dpkg/status']);
    expect(byPath.get('srv/broken/package-lock.json')).toMatchObject({ status: 'failed', extractor: 'npm/package-lock' });
    expect(byPath.get('srv/broken/package-lock.json')!.reason).toMatch(/JSON/);
    expect(byPath.get('var/lib/dpkg/status')).toMatchObject({ status: 'ok', components: 2, extractor: 'debian/dpkg-status' });
    // deep/a/b/c/d/e is 6 levels down
    expect(inv.lost.join('\n')).toMatch(/deeper than 5 levels/);
  });

  it('without a depth bound hit, the deep lockfile is read too', async () => {
    const inv = await scanRootfs(root, defaultExtractors());
    expect(inv.inputs.map((i) => path.relative(root, i.path))).toContain('deep/a/b/c/d/e/package-lock.json');
    // srv/package-lock.json links to a host path: inside the root there is nothing there, and the walk says so
    expect(inv.warnings).toEqual(['1 symbolic link(s) named like a file vouch reads lead nowhere inside the root (not read)']);
  });

  it('only: walks just the folders named', async () => {
    const inv = await scanRootfs(root, defaultExtractors(), { only: ['var/lib/dpkg', 'etc'] });
    expect(inv.inputs.map((i) => path.relative(root, i.path))).toEqual(['var/lib/dpkg/status']);
  });

  it('displayRoot: paths, root ids and locations are reported under it', async () => {
    const inv = await scanRootfs(root, defaultExtractors(), { displayRoot: 'image.tar!' });
    expect(inv.inputs.map((i) => i.path).sort()).toEqual([
      'image.tar!/deep/a/b/c/d/e/package-lock.json',
      'image.tar!/srv/app/package-lock.json',
      'image.tar!/srv/broken/package-lock.json',
      'image.tar!/var/lib/dpkg/status',
    ]);
    expect([...inv.graph.roots.keys()].every((r) => r.startsWith('root:image.tar!/'))).toBe(true);
    for (const c of inv.graph.components.values()) for (const l of c.locations) expect(l.path.startsWith('image.tar!/')).toBe(true);
    expect(JSON.stringify(inv)).not.toContain(root);
    expect(inv.graph.pathsTo('pkg:npm/left-pad@1.3.0').map((p) => p[0])).toContain('root:image.tar!/srv/app/package-lock.json');
  });

  it('a missing folder or a file is an input error', async () => {
    await expect(scanRootfs(path.join(dir, 'nope'), defaultExtractors())).rejects.toMatchObject({ code: 'INPUT_MISSING' });
    await expect(scanRootfs(path.join(root, 'etc/os-release'), defaultExtractors())).rejects.toMatchObject({ code: 'INPUT_UNSUPPORTED' });
  });
});

const HAS_DPKG = (() => {
  if (!existsSync('/var/lib/dpkg/status')) return false;
  try {
    execFileSync('dpkg-query', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();
if (!HAS_DPKG) console.warn('[vouch tests] dpkg-query or /var/lib/dpkg/status is absent: the host dpkg comparison is skipped.');

describe.skipIf(!HAS_DPKG)('scanRootfs("/") on this Debian host', () => {
  it('finds as many installed Debian packages as dpkg-query -W lists', async () => {
    const inv = await scanRootfs('/', defaultExtractors(), { only: ['var/lib/dpkg', 'etc'] });
    const listed = execFileSync('dpkg-query', ['-W', '-f', '${binary:Package} ${Version} ${db:Status-Status}\\n'], { encoding: 'utf8' })
      .split('\n')
      .filter((l) => l.endsWith(' installed'));
    const debs = [...inv.graph.components.values()].filter((c) => c.purl.startsWith('pkg:deb/'));
    expect(debs.length).toBe(listed.length);
    const status = inv.inputs.find((i) => i.path === '/var/lib/dpkg/status')!;
    expect(status).toMatchObject({ status: 'ok', extractor: 'debian/dpkg-status' });
    const id = /^ID=(.*)$/m.exec(await readInRoot('/', 'etc/os-release') ?? '')?.[1]?.replace(/"/g, '');
    if (id === 'debian') expect(debs.every((c) => /^Debian:\d+$/.test(c.ecosystem ?? ''))).toBe(true);
  });
});

describe('scanRootfs: files reached through links', () => {
  it('a lockfile linked inside the root is read once, through the link or directly, never twice', async () => {
    const r = await mkdtemp(path.join(tmpdir(), 'vouch-rootfs-links-'));
    try {
      await mkdir(path.join(r, 'srv/app'), { recursive: true });
      await mkdir(path.join(r, 'srv/a'), { recursive: true });
      await mkdir(path.join(r, 'srv/b'), { recursive: true });
      await mkdir(path.join(r, 'opt/real'), { recursive: true });
      await writeFile(path.join(r, 'srv/app/package-lock.json'), LOCK);
      await symlink('/srv/app/package-lock.json', path.join(r, 'srv/a/package-lock.json')); // its target is walked too
      await writeFile(path.join(r, 'opt/real/lock.json'), LOCK); // not a name vouch reads: only the links reach it
      await symlink('/opt/real/lock.json', path.join(r, 'srv/b/package-lock.json'));
      await mkdir(path.join(r, 'srv/c'), { recursive: true });
      await symlink('../../opt/real/lock.json', path.join(r, 'srv/c/package-lock.json'));
      const inv = await scanRootfs(r, defaultExtractors());
      expect(inv.inputs.map((i) => path.relative(r, i.path)).sort()).toEqual(['opt/real/lock.json', 'srv/app/package-lock.json']);
      expect(inv.inputs.every((i) => i.status === 'ok')).toBe(true);
    } finally {
      await rm(r, { recursive: true, force: true });
    }
  });
});
