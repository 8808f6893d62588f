/**
 * Hostile archives through the CLI (docs/reliability.md), all generated here, never stored: Java
 * archives nested 50 deep or holding themselves, a 10 GB zip bomb, a corrupt central directory,
 * `../` and absolute entry names; image tars whose layers white out everything, cannot be read or
 * escape the tree, whose manifest is missing or cyclic. What could not be read makes the input
 * `partial`: exit 2, or the findings' exit code with --allow-partial — never a silent exit 0.
 * Every run has a timeout, so a hang fails.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { deflateRawSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeZip, type ZipEntrySpec } from '../../src/io/__fixtures__/zip-writer.js';
import { buildTar, type TarWriteEntry } from '../../src/io/tar.js';
import { VOUCH, type Run, tempDir } from './helpers.js';

function run(args: string[]): Run {
  const r = spawnSync(process.execPath, [VOUCH, ...args], {
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1' },
    timeout: 60_000,
    killSignal: 'SIGKILL',
    maxBuffer: 64 * 1024 * 1024,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function clean(r: Run): void {
  expect(r.code, `exit (null = timed out): ${r.stderr}`).not.toBeNull();
  expect(r.stderr).not.toMatch(/\n\s+at |internal error/);
}

/** Partial: exit 2 naming what was lost; with --allow-partial the same input exits 0. */
function partial(file: string, ...lost: string[]): void {
  const r = run(['sbom', file]);
  clean(r);
  expect(r.code, r.stderr).toBe(2);
  for (const l of lost) expect(r.stderr).toContain(l);
  const allowed = run(['sbom', '--allow-partial', file]);
  clean(allowed);
  expect(allowed.code, allowed.stderr).toBe(0);
}

const pom = (a: string, v = '1.0.0'): ZipEntrySpec => ({ name: `META-INF/maven/org.example/${a}/pom.properties`, data: `groupId=org.example\nartifactId=${a}\nversion=${v}\n` });

describe('hostile archives', () => {
  let work: string;
  const file = (name: string, data: Buffer | string): string => {
    const f = path.join(work, name);
    writeFileSync(f, data);
    return f;
  };
  beforeAll(() => {
    work = tempDir('archives');
  });
  afterAll(() => {
    rmSync(work, { recursive: true, force: true });
  });

  describe('Java archives', () => {
    it('jars nested 50 deep: the levels past the limit are lost, the input partial', () => {
      let jar = makeZip([pom('level50')]);
      for (let i = 49; i >= 1; i--) jar = makeZip([pom(`level${i}`), { name: `lib/level${i + 1}-1.0.0.jar`, data: jar, method: 0 }]);
      const f = file('deep.jar', jar);
      partial(f, 'nested more than 8 archives deep');
      const sbom = run(['sbom', '--allow-partial', f]);
      expect(sbom.stdout).toContain('level1');
      expect(sbom.stdout).toContain('level8');
    });

    it('a jar holding itself (the same archive inside, again and again): bounded, partial', () => {
      // each level is the previous archive stored under the same name: what a self-including jar unrolls to
      let jar = makeZip([pom('self')]);
      for (let i = 0; i < 30; i++) jar = makeZip([pom('self'), { name: 'lib/self-1.0.0.jar', data: jar, method: 0 }]);
      partial(file('self.jar', jar), 'nested more than 8 archives deep');
    });

    it('a 10 GB zip bomb: a small entry whose header says 4 GiB, and one that lies about a huge inflation', () => {
      const zeros = Buffer.alloc(16 * 1024 * 1024); // 16 MiB of zeros deflate to ~16 KiB
      const huge = makeZip([pom('bomb'), { name: 'lib/huge-1.0.0.jar', data: zeros, declaredSize: 0xffffffff }]);
      const lying = makeZip([pom('bomb'), { name: 'lib/lying-1.0.0.jar', data: zeros, declaredSize: 1000 }]);
      partial(file('huge.jar', huge), 'over the', 'limit');
      partial(file('lying.jar', lying), 'zip bomb?');
      // the raw deflate stream of the lying entry is small: nothing of the 10 GB class is ever held
      expect(deflateRawSync(zeros).length).toBeLessThan(64 * 1024);
    });

    it('a corrupt central directory: read as far as it goes, partial', () => {
      const good = makeZip([pom('first'), { name: 'lib/inner-1.0.0.jar', data: makeZip([pom('inner')]), method: 0 }, pom('third')]);
      const bad = Buffer.from(good);
      // the second central directory record's signature (PK\1\2) broken
      const cd = bad.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
      const second = bad.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]), cd + 4);
      bad.writeUInt32LE(0xdeadbeef, second);
      partial(file('corrupt-cd.jar', bad), 'corrupt zip archive');
    });

    it('`../` and absolute entry names: ignored, never written, the input partial', () => {
      const f = file('names.war', makeZip([pom('app'), { name: '../../evil-1.0.0.jar', data: makeZip([pom('evil')]) }, { name: '/abs-1.0.0.jar', data: makeZip([pom('abs')]) }]));
      partial(f, "entry path with a '..' segment", '2 item(s) could not be read');
      expect(existsSync(path.join(work, '..', 'evil-1.0.0.jar'))).toBe(false);
    });
  });

  describe('container image tars', () => {
    const OS = { name: 'etc/os-release', data: 'ID=debian\nVERSION_ID="12"\n' };
    const STATUS = { name: 'var/lib/dpkg/status', data: 'Package: zlib1g\nStatus: install ok installed\nArchitecture: amd64\nVersion: 1:1.2.13.dfsg-1\n' };
    const dockerSave = (layers: (TarWriteEntry[] | Buffer)[], manifest?: unknown): Buffer => {
      const entries: TarWriteEntry[] = layers.map((l, i) => ({ name: `l${i}.tar`, data: Buffer.isBuffer(l) ? l : buildTar(l) }));
      entries.push({ name: 'manifest.json', data: JSON.stringify(manifest ?? [{ Layers: layers.map((_, i) => `l${i}.tar`), RepoTags: ['t:1'] }]) });
      return buildTar(entries);
    };

    it('a layer that whites out everything: an empty image, exit 0, nothing from below', () => {
      const f = file('whiteout.tar', dockerSave([[OS, STATUS], [{ name: '.wh..wh..opq' }]]));
      const r = run(['sbom', f]);
      clean(r);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).not.toContain('zlib1g');
      const f2 = file('whiteout-each.tar', dockerSave([[OS, STATUS], [{ name: '.wh.etc' }, { name: '.wh.var' }]]));
      const r2 = run(['sbom', f2]);
      clean(r2);
      expect(r2.stdout).not.toContain('zlib1g');
    });

    it('a layer that cannot be read: partial, exit 2 — not a warning and exit 0', () => {
      const broken = Buffer.concat([gzipSync(buildTar([STATUS])).subarray(0, 40), Buffer.alloc(600, 1)]);
      partial(file('broken-layer.tar', dockerSave([[OS], broken])), 'layer l1.tar not applied');
      partial(file('missing-layer.tar', dockerSave([[OS, STATUS]], [{ Layers: ['l0.tar', 'gone.tar'] }])), 'layer gone.tar not applied: missing from the archive');
    });

    it('entries escaping the tree (`..`, absolute, symlinks out): refused, nothing written outside, partial', () => {
      const f = file(
        'escape.tar',
        dockerSave([[OS, STATUS, { name: '../escaped.txt', data: 'x' }, { name: 'out', type: 'symlink', linkname: '../../../..' }, { name: 'out/escaped2.txt', data: 'x' }]]),
      );
      partial(f, 'refused');
      expect(existsSync(path.join(work, 'escaped.txt'))).toBe(false);
    });

    it('a missing manifest, a manifest of the wrong shape, an OCI index that points at itself: one line, exit 2', () => {
      const noManifest = file('no-manifest.tar', buildTar([{ name: 'l0.tar', data: buildTar([OS]) }, { name: 'repositories', data: '{}' }]));
      let r = run(['sbom', noManifest]);
      clean(r);
      expect(r.code).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      const wrong = file('wrong-manifest.tar', buildTar([{ name: 'manifest.json', data: '{"Layers": 1}' }]));
      r = run(['sbom', wrong]);
      clean(r);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('manifest.json');
      // index.json → blobs/sha256/<x> whose content is the same index again, forever
      const self = JSON.stringify({ schemaVersion: 2, manifests: [{ mediaType: 'application/vnd.oci.image.index.v1+json', digest: 'sha256:PLACEHOLDER' }] });
      const digest = createHash('sha256').update(self).digest('hex');
      const cyclic = self.replace('PLACEHOLDER', digest);
      const f = file(
        'cyclic.tar',
        buildTar([
          { name: 'oci-layout', data: '{"imageLayoutVersion":"1.0.0"}' },
          { name: 'index.json', data: cyclic },
          { name: `blobs/sha256/${digest}`, data: cyclic },
        ]),
      );
      r = run(['sbom', f]);
      clean(r);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('no image manifest');
    });
  });
});
