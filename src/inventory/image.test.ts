/**
 * Container image tars built here: docker save and OCI layouts, two layers with whiteouts and an
 * opaque folder, gzip layers and a gzip archive, and archives that try to write outside the tree.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { lstat, mkdir, mkdtemp, readFile, readdir, readlink, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { extractImage, unpackImage } from './image.js';
import { buildTar, type TarWriteEntry } from '../io/tar.js';

const OS_RELEASE = 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nID=debian\nVERSION_ID="12"\n';
const stanza = (name: string, version: string, source?: string): string =>
  `Package: ${name}\nStatus: install ok installed\nArchitecture: amd64\n${source ? `Source: ${source}\n` : ''}Version: ${version}\n`;
const LOCK = JSON.stringify({
  name: 'app',
  lockfileVersion: 3,
  packages: { '': { name: 'app', dependencies: { 'left-pad': '^1.3.0' } }, 'node_modules/left-pad': { version: '1.3.0' } },
});

const LAYER1: TarWriteEntry[] = [
  { name: 'etc/', type: 'dir' },
  { name: 'etc/os-release', data: OS_RELEASE },
  { name: 'var/lib/dpkg/', type: 'dir' },
  { name: 'var/lib/dpkg/status', data: `${stanza('libssl3', '3.0.11-1~deb12u1', 'openssl')}\n${stanza('zlib1g', '1:1.2.13.dfsg-1', 'zlib')}` },
  { name: 'app/', type: 'dir' },
  { name: 'app/package-lock.json', data: LOCK },
  { name: 'app/old.txt', data: 'old' },
  { name: 'opt/data/a', data: 'a' },
  { name: 'opt/data/b', data: 'b' },
  { name: 'opt/data/sub/c', data: 'c' },
  { name: 'usr/bin/tool', data: '#!/bin/sh\n' },
];
const LAYER2: TarWriteEntry[] = [
  { name: './app/.wh.old.txt' },
  { name: 'opt/data/early', data: 'early' }, // before the opaque marker, same layer: kept
  { name: 'opt/data/.wh..wh..opq' },
  { name: 'opt/data/new', data: 'new' },
  { name: 'var/lib/dpkg/status', data: `${stanza('libssl3', '3.0.11-1~deb12u2', 'openssl')}\n${stanza('zlib1g', '1:1.2.13.dfsg-1', 'zlib')}` },
  { name: 'bin', type: 'symlink', linkname: 'usr/bin' },
  { name: 'usr/lib/os-release', data: OS_RELEASE },
];

function sha256(b: Buffer): string {
  return createHash('sha256').update(b).digest('hex');
}

function dockerSave(layers: TarWriteEntry[][], tags = ['example/app:1']): Buffer {
  const entries: TarWriteEntry[] = [];
  const names = layers.map((l, i) => {
    const name = `layer${i}/layer.tar`;
    entries.push({ name: `layer${i}/`, type: 'dir' }, { name, data: buildTar(l) });
    return name;
  });
  entries.push({ name: 'config.json', data: '{}' });
  entries.push({ name: 'manifest.json', data: JSON.stringify([{ Config: 'config.json', RepoTags: tags, Layers: names }]) });
  return buildTar(entries);
}

function ociLayout(layers: TarWriteEntry[][]): Buffer {
  const blobs: TarWriteEntry[] = [];
  const blob = (b: Buffer): string => {
    const h = sha256(b);
    blobs.push({ name: `blobs/sha256/${h}`, data: b });
    return `sha256:${h}`;
  };
  const layerDescs = layers.map((l) => {
    const gz = gzipSync(buildTar(l));
    return { mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: blob(gz), size: gz.length };
  });
  const config = Buffer.from('{}');
  const manifest = Buffer.from(
    JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', config: { digest: blob(config), size: 2 }, layers: layerDescs }),
  );
  const attestation = Buffer.from(JSON.stringify({ schemaVersion: 2, layers: [] }));
  const nested = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.index.v1+json',
      manifests: [
        { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: blob(attestation), platform: { os: 'unknown', architecture: 'unknown' } },
        { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: blob(manifest), platform: { os: 'linux', architecture: 'amd64' } },
      ],
    }),
  );
  const index = {
    schemaVersion: 2,
    manifests: [{ mediaType: 'application/vnd.oci.image.index.v1+json', digest: blob(nested), annotations: { 'org.opencontainers.image.ref.name': 'example/app:oci' } }],
  };
  return buildTar([{ name: 'oci-layout', data: '{"imageLayoutVersion":"1.0.0"}' }, { name: 'index.json', data: JSON.stringify(index) }, ...blobs]);
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'vouch-image-test-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function tree(root: string, rel = ''): Promise<string[]> {
  const out: string[] = [];
  for (const n of (await readdir(path.join(root, rel))).sort()) {
    const r = rel ? `${rel}/${n}` : n;
    const st = await lstat(path.join(root, r));
    if (st.isDirectory()) out.push(`${r}/`, ...(await tree(root, r)));
    else if (st.isSymbolicLink()) out.push(`${r} -> ${await readlink(path.join(root, r))}`);
    else out.push(r);
  }
  return out;
}

describe('unpackImage: layers merged in order', () => {
  it.each([
    ['docker save', dockerSave, 'docker'],
    ['OCI layout (gzip layers, nested index)', ociLayout, 'oci'],
  ] as const)('%s: whiteout deletes, opaque folder empties, later files replace', async (_l, build, format) => {
    const tarPath = path.join(dir, `${format}.tar`);
    await writeFile(tarPath, build([LAYER1, LAYER2]));
    const dest = path.join(dir, `${format}-root`);
    await mkdir(dest);
    const r = await unpackImage(tarPath, dest);
    expect(r.format).toBe(format);
    expect(r.layers.length).toBe(2);
    expect(r.failedLayers).toEqual([]);
    expect(r.repoTags).toEqual(format === 'docker' ? ['example/app:1'] : ['example/app:oci']);
    expect(await tree(dest)).toEqual([
      'app/',
      'app/package-lock.json',
      'bin -> usr/bin',
      'etc/',
      'etc/os-release',
      'opt/',
      'opt/data/',
      'opt/data/early',
      'opt/data/new',
      'usr/',
      'usr/bin/',
      'usr/bin/tool',
      'usr/lib/',
      'usr/lib/os-release',
      'var/',
      'var/lib/',
      'var/lib/dpkg/',
      'var/lib/dpkg/status',
    ]);
    expect(await readFile(path.join(dest, 'var/lib/dpkg/status'), 'utf8')).toContain('3.0.11-1~deb12u2');
  });
});

describe('extractImage: scan the merged tree', () => {
  it('docker save: OS packages of the top layer and the lockfile; paths inside the image; temp folder removed', async () => {
    const tarPath = path.join(dir, 'scan.tar');
    await writeFile(tarPath, dockerSave([LAYER1, LAYER2]));
    const tmp = path.join(dir, 'tmp-scan');
    await mkdir(tmp);
    const inv = await extractImage(tarPath, { tmpDir: tmp });
    expect([...inv.graph.components.keys()].sort()).toEqual([
      'pkg:deb/debian/libssl3@3.0.11-1~deb12u2?arch=amd64&distro=debian-12&upstream=openssl',
      'pkg:deb/debian/zlib1g@1:1.2.13.dfsg-1?arch=amd64&distro=debian-12&upstream=zlib',
      'pkg:npm/left-pad@1.3.0',
    ]);
    expect(inv.inputs.map((i) => i.path).sort()).toEqual([`${tarPath}!/app/package-lock.json`, `${tarPath}!/var/lib/dpkg/status`]);
    expect(inv.graph.components.get('pkg:npm/left-pad@1.3.0')!.locations[0]!.path).toBe(`${tarPath}!/app/package-lock.json`);
    expect(inv.image).toMatchObject({ format: 'docker', repoTags: ['example/app:1'] });
    expect(await readdir(tmp)).toEqual([]);
  });

  it('a gzip-compressed docker save archive', async () => {
    const tarPath = path.join(dir, 'scan.tar.gz');
    await writeFile(tarPath, gzipSync(dockerSave([LAYER1, LAYER2])));
    const tmp = path.join(dir, 'tmp-gz');
    await mkdir(tmp);
    const inv = await extractImage(tarPath, { tmpDir: tmp });
    expect(inv.graph.components.size).toBe(3);
    expect(await readdir(tmp)).toEqual([]);
  });

  it('not an image: INPUT_UNSUPPORTED; a broken layer: reported, the others applied', async () => {
    const plain = path.join(dir, 'plain.tar');
    await writeFile(plain, buildTar([{ name: 'hello.txt', data: 'hi' }]));
    await expect(extractImage(plain, { tmpDir: dir })).rejects.toMatchObject({ code: 'INPUT_UNSUPPORTED' });

    const broken = path.join(dir, 'broken.tar');
    const entries: TarWriteEntry[] = [
      { name: 'l0.tar', data: buildTar(LAYER1) },
      { name: 'l1.tar', data: Buffer.concat([gzipSync(buildTar(LAYER2)).subarray(0, 40), Buffer.alloc(600, 1)]) },
      { name: 'manifest.json', data: JSON.stringify([{ Layers: ['l0.tar', 'l1.tar', 'l2.tar'] }]) },
    ];
    await writeFile(broken, buildTar(entries));
    const inv = await extractImage(broken, { tmpDir: dir });
    expect(inv.image.failedLayers.map((f) => f.layer)).toEqual(['l1.tar', 'l2.tar']);
    expect(inv.graph.components.has('pkg:deb/debian/libssl3@3.0.11-1~deb12u1?arch=amd64&distro=debian-12&upstream=openssl')).toBe(true);
    // layers not applied are lost: the image is a partial input (exit 2 unless --allow-partial)
    expect(inv.lost.join('\n')).toMatch(/layer l1\.tar not applied/);
    expect(inv.lost.join('\n')).toMatch(/layer l2\.tar not applied: missing from the archive/);
  });
});

describe('unpackImage: nothing is written outside the tree', () => {
  it('refuses `..`, absolute paths, escaping symlinks and hard links; absolute symlinks resolve inside', async () => {
    const work = path.join(dir, 'escape');
    const dest = path.join(work, 'root');
    await mkdir(dest, { recursive: true });
    const evil: TarWriteEntry[] = [
      { name: '../evil.txt', data: 'x' },
      { name: 'a/../../evil2.txt', data: 'x' },
      { name: '/abs.txt', data: 'x' },
      { name: 'esc', type: 'symlink', linkname: '../../..' },
      { name: 'esc/pwned.txt', data: 'x' }, // esc was refused: this lands in a real folder esc/
      { name: 'rootlink', type: 'symlink', linkname: '/' },
      { name: 'rootlink/../../../evil3.txt', data: 'x' },
      { name: 'rootlink/inside.txt', data: 'in' }, // through an absolute symlink: the image root
      { name: 'up', type: 'symlink', linkname: '/../../..' },
      { name: 'up/evil4.txt', data: 'x' }, // `/..` stays at the image root
      { name: 'hard', type: 'hardlink', linkname: '../../etc/passwd' },
      { name: 'etc/.wh.passwd' }, // a whiteout of something absent is harmless
      { name: '.wh...' },
    ];
    const tarPath = path.join(work, 'evil.tar');
    await writeFile(tarPath, dockerSave([evil]));
    const r = await unpackImage(tarPath, dest);
    expect((await readdir(work)).sort()).toEqual(['evil.tar', 'root']);
    expect(existsSync(path.join(dir, 'evil.txt')) || existsSync(path.join(dir, 'evil2.txt'))).toBe(false);
    expect(await tree(dest)).toEqual(['esc/', 'esc/pwned.txt', 'evil4.txt', 'inside.txt', 'rootlink -> /', 'up -> /../../..']);
    const w = r.lost.join('\n');
    expect(w).toMatch(/path with "\.\."/);
    expect(w).toMatch(/absolute path/);
    expect(w).toMatch(/symlink pointing outside the image/);
    expect(w).toMatch(/hard link to a path outside the image/);
  });

  it('a size limit stops the image, not just a layer', async () => {
    const tarPath = path.join(dir, 'big.tar');
    await writeFile(tarPath, dockerSave([[{ name: 'f1', data: Buffer.alloc(4096) }], [{ name: 'f2', data: Buffer.alloc(4096) }]]));
    const dest = path.join(dir, 'big-root');
    await mkdir(dest);
    await expect(unpackImage(tarPath, dest, { maxWrittenBytes: 6000 })).rejects.toMatchObject({ code: 'INPUT_TOO_LARGE' });
    const dest2 = path.join(dir, 'big-root2');
    await mkdir(dest2);
    await expect(unpackImage(tarPath, dest2, { maxLayerBytes: 5000 })).rejects.toMatchObject({ code: 'INPUT_TOO_LARGE' });
  });

  it('a gzip layer holding a huge wanted file stops at the write budget; the temporary folder is removed', async () => {
    // 32 MiB of zeros named like a lockfile, in a gzip layer of a plain docker-save tar
    const layer = gzipSync(buildTar([{ name: 'app/package-lock.json', data: Buffer.alloc(32 * 1024 * 1024) }]));
    const tarPath = path.join(dir, 'big-layer.tar');
    await writeFile(tarPath, buildTar([{ name: 'l0.tar', data: layer }, { name: 'manifest.json', data: JSON.stringify([{ Layers: ['l0.tar'] }]) }]));
    const scratch = await mkdtemp(path.join(dir, 'scratch-layer-'));
    await expect(extractImage(tarPath, { tmpDir: scratch, maxWrittenBytes: 1024 * 1024 })).rejects.toMatchObject({ code: 'INPUT_TOO_LARGE' });
    expect(await readdir(scratch)).toEqual([]);
  });

  it('a gzip image that decompresses past the write budget stops before the temporary folder holds more', async () => {
    // 32 MiB of zeros in one layer: the gzip of the whole image is a few tens of KiB
    const gz = gzipSync(dockerSave([[{ name: 'zeros', data: Buffer.alloc(32 * 1024 * 1024) }]]));
    expect(gz.length).toBeLessThan(256 * 1024);
    const tarPath = path.join(dir, 'bomb.tar.gz');
    await writeFile(tarPath, gz);
    const scratch = await mkdtemp(path.join(dir, 'scratch-'));
    const err = await extractImage(tarPath, { tmpDir: scratch, maxWrittenBytes: 1024 * 1024 }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toMatchObject({ code: 'INPUT_TOO_LARGE' });
    expect(String((err as Error).message)).toContain('decompresses to more than 1048576 bytes');
    // the temporary folder is gone, nothing was left behind
    expect(await readdir(scratch)).toEqual([]);
  });
});
