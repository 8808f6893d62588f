/** readInRoot / resolveInRoot: a root filesystem's files, read as if the root were `/`. */
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readInRoot, resolveInRoot } from './root.js';

let root: string;
beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'vouch-root-'));
  await mkdir(path.join(root, 'etc'), { recursive: true });
});
afterAll(() => rm(root, { recursive: true, force: true }));

describe('resolveInRoot / readInRoot: symlinks resolve as in a chroot', () => {
  it('absolute and climbing links stay inside the root', async () => {
    await mkdir(path.join(root, 'usr/lib'), { recursive: true });
    await writeFile(path.join(root, 'usr/lib/inside'), 'inside\n');
    await symlink('/usr/lib/inside', path.join(root, 'abs'));
    await symlink('../../../../../../../../usr/lib/inside', path.join(root, 'etc/climb'));
    await symlink('/etc/passwd', path.join(root, 'host-passwd'));
    await symlink('loop2', path.join(root, 'loop1'));
    await symlink('loop1', path.join(root, 'loop2'));
    expect(await readInRoot(root, 'abs')).toBe('inside\n');
    expect(await readInRoot(root, 'etc/climb')).toBe('inside\n');
    expect(await readInRoot(root, 'host-passwd')).toBeUndefined(); // <root>/etc/passwd does not exist
    expect(await resolveInRoot(root, 'host-passwd')).toBe(path.join(root, 'etc/passwd'));
    expect(await resolveInRoot(root, 'loop1')).toBeUndefined();
    expect(await resolveInRoot(root, '../../x')).toBe(path.join(root, 'x'));
  });
});
