/**
 * `vouch health` on a hostile clone, end to end through the built CLI: a repository whose
 * configuration names an fsmonitor hook, filters, a textconv, an external diff, a pager, hooks and
 * a gpg program, each creating a marker file if run; after `vouch health` (with a signed-looking
 * tag, so that the signature check runs) no marker exists. src/health/git.test.ts proves each
 * vector with a control run.
 */
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { GIT_ENV, TestRepo, cleanupRepos } from '../../src/health/__fixtures__/git-repo.js';
import { tempDir, vouch } from './helpers.js';

const markers = mkdtempSync(path.join(tmpdir(), 'vouch-health-markers-'));
const home = tempDir('health-untrusted-home');
afterAll(() => {
  cleanupRepos();
  rmSync(markers, { recursive: true, force: true });
  rmSync(home, { recursive: true, force: true });
});

describe('vouch health on an untrusted clone', () => {
  it('runs none of the commands its configuration names', () => {
    const r = new TestRepo('untrusted')
      .write('package-lock.json', JSON.stringify({ name: 'a', lockfileVersion: 3, packages: { '': { name: 'a' } } }))
      .write('.gitattributes', '* filter=evil diff=evil\n')
      .write('LICENSE', 'MIT License\n')
      .commit('one', '2025-01-01T00:00:00Z');
    // a commit object carrying a (fake) signature, tagged: Signed-Releases looks at it
    const raw = r.git(['cat-file', 'commit', 'HEAD']);
    const signedFile = path.join(r.dir, '.git', 'signed');
    writeFileSync(signedFile, raw.replace(/^(committer .*\n)/m, '$1gpgsig -----BEGIN PGP SIGNATURE-----\n \n iQ==\n -----END PGP SIGNATURE-----\n'));
    const sha = r.git(['hash-object', '-t', 'commit', '-w', signedFile]).trim();
    r.git(['tag', 'v1.0.0', sha]);
    const touch = (name: string): string => `touch '${path.join(markers, name)}'`;
    r.write('.git/hooks/post-checkout', `#!/bin/sh\n${touch('hook')}\n`, 0o755);
    r.write('evil-gpg', `#!/bin/sh\n${touch('gpg')}\nexit 1\n`, 0o755);
    for (const [k, v] of [
      ['core.fsmonitor', `${touch('fsmonitor')}; false`],
      ['filter.evil.clean', `${touch('clean')}; cat`],
      ['filter.evil.smudge', `${touch('smudge')}; cat`],
      ['filter.evil.process', `${touch('process')}; false`],
      ['diff.evil.textconv', `${touch('textconv')}; cat`],
      ['diff.external', touch('external')],
      ['core.pager', `${touch('pager')}; cat`],
      ['core.sshCommand', touch('ssh')],
      ['gpg.program', path.join(r.dir, 'evil-gpg')],
    ]) {
      r.git(['config', k!, v!]);
    }
    // the work tree differs from the index, so that anything refreshing it would run the filters
    r.write('LICENSE', 'MIT License\nchanged\n');
    const keyring = path.join(markers, 'keyring.gpg');
    writeFileSync(keyring, '');
    const run = vouch(['health', r.dir, '--format', 'json', '--now', '2025-06-01', '--gpg-keyring', keyring], { ...GIT_ENV, VOUCH_HOME: home });
    expect(run.stderr).not.toMatch(/internal error|\n\s+at /);
    expect([0, 1]).toContain(run.code);
    expect(readdirSync(markers).filter((n) => n !== 'keyring.gpg')).toEqual([]);
    expect(existsSync(path.join(markers, 'fsmonitor'))).toBe(false);
  });
});
