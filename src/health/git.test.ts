/**
 * An untrusted clone cannot make `vouch health` run a command. Each vector is configured in a test
 * repository so that it would create a marker file; the same git command run plainly (the
 * control) creates the marker — so the vector is real — and run through vouch's git helper it
 * does not.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { GIT_ENV, TestRepo, cleanupRepos } from './__fixtures__/git-repo.js';
import { git, gitInvocation } from './git.js';
import { checkRepository } from './run.js';

const tmp = mkdtempSync(path.join(tmpdir(), 'vouch-git-vectors-'));
afterAll(() => {
  cleanupRepos();
  rmSync(tmp, { recursive: true, force: true });
});

let n = 0;
/** A fresh marker path and a shell command that creates it. */
function marker(): { file: string; touch: string } {
  const file = path.join(tmp, `marker-${++n}`);
  return { file, touch: `touch '${file}'` };
}

/** A repository with one committed file `a.txt` (attributes `filter=evil diff=evil`), then modified. */
function clone(): TestRepo {
  const r = new TestRepo('vectors')
    .write('a.txt', 'one\n')
    .write('.gitattributes', 'a.txt filter=evil diff=evil merge=evil\n')
    .commit('one', '2025-01-01T00:00:00Z');
  r.write('a.txt', 'one\ntwo\n');
  return r;
}

/** The plain git the control runs: the repository's configuration in full force. */
function plain(r: TestRepo, args: string[]): void {
  spawnSync('git', ['-C', r.dir, ...args], { env: { ...process.env, ...GIT_ENV }, stdio: 'ignore', timeout: 20_000 });
}

const IDENT = { 'user.name': 'T', 'user.email': 't@example.test', 'commit.gpgsign': 'false' };

interface Vector {
  name: string;
  /** configures the repository so that `args` would create the marker */
  arm(r: TestRepo, touch: string): void;
  args: string[];
  /** run under a pseudo-terminal (a pager only starts on a terminal) */
  tty?: boolean;
}

const VECTORS: Vector[] = [
  { name: 'core.fsmonitor', arm: (r, t) => r.git(['config', 'core.fsmonitor', `${t}; false`]), args: ['ls-files'] },
  { name: 'core.fsmonitor on status', arm: (r, t) => r.git(['config', 'core.fsmonitor', `${t}; false`]), args: ['status', '--porcelain'] },
  {
    name: 'hooks in .git/hooks',
    arm: (r, t) => r.write('.git/hooks/pre-commit', `#!/bin/sh\n${t}\n`, 0o755),
    args: ['-c', 'user.name=T', '-c', 'user.email=t@example.test', 'commit', '-q', '--allow-empty', '-m', 'x'],
  },
  {
    name: 'core.hooksPath into the work tree',
    arm: (r, t) => {
      r.write('hooks/pre-commit', `#!/bin/sh\n${t}\n`, 0o755);
      r.git(['config', 'core.hooksPath', 'hooks']);
    },
    args: ['-c', 'user.name=T', '-c', 'user.email=t@example.test', 'commit', '-q', '--allow-empty', '-m', 'x'],
  },
  { name: 'core.pager', arm: (r, t) => r.git(['config', 'core.pager', `${t}; cat`]), args: ['log'], tty: true },
  { name: 'pager.<command>', arm: (r, t) => r.git(['config', 'pager.log', `${t}; cat`]), args: ['log'], tty: true },
  { name: 'diff.external', arm: (r, t) => r.git(['config', 'diff.external', `sh -c '${t.replace(/'/g, '')}'`]), args: ['diff'] },
  { name: 'diff.<driver>.command', arm: (r, t) => r.git(['config', 'diff.evil.command', `sh -c '${t.replace(/'/g, '')}'`]), args: ['diff'] },
  { name: 'diff.<driver>.textconv', arm: (r, t) => r.git(['config', 'diff.evil.textconv', `${t}; cat`]), args: ['log', '-p'] },
  { name: 'filter.<driver>.clean', arm: (r, t) => r.git(['config', 'filter.evil.clean', `${t}; cat`]), args: ['diff'] },
  {
    name: 'filter.<driver>.smudge',
    arm: (r, t) => r.git(['config', 'filter.evil.smudge', `${t}; cat`]),
    args: ['checkout', '-q', '--', 'a.txt'],
  },
  { name: 'filter.<driver>.process', arm: (r, t) => r.git(['config', 'filter.evil.process', `${t}; false`]), args: ['diff'] },
  {
    name: 'a filter driver defined in an included file',
    arm: (r, t) => {
      r.write('evil.cfg', `[filter "evil"]\n\tclean = ${t}; cat\n`);
      r.git(['config', 'include.path', path.join(r.dir, 'evil.cfg')]);
    },
    args: ['diff'],
  },
  {
    name: 'core.sshCommand',
    arm: (r, t) => r.git(['config', 'core.sshCommand', `${t}; false`]),
    args: ['ls-remote', 'ssh://git.example.invalid/x.git'],
  },
  {
    name: 'the ext:: transport allowed by the repository',
    arm: (r, t) => {
      r.git(['config', 'protocol.ext.allow', 'always']);
      r.git(['config', 'remote.origin.url', `ext::sh -c ${t.replace(/'/g, '').replace(/ /g, '% ')}`]);
    },
    args: ['ls-remote', 'origin'],
  },
  {
    name: 'gpg.program (verify-commit)',
    arm: (r, t) => {
      r.git(['config', 'gpg.program', path.join(r.dir, 'fake-gpg')]);
      r.write('fake-gpg', `#!/bin/sh\n${t}\nexit 1\n`, 0o755);
      // a commit object carrying a (fake) signature, so that verify-commit calls the program
      const raw = r.git(['cat-file', 'commit', 'HEAD']);
      const signed = raw.replace(/^(committer .*\n)/m, '$1gpgsig -----BEGIN PGP SIGNATURE-----\n \n iQ==\n -----END PGP SIGNATURE-----\n');
      const file = path.join(r.dir, '.git', 'signed-commit');
      writeFileSync(file, signed);
      const sha = r.git(['hash-object', '-t', 'commit', '-w', file]).trim();
      r.git(['update-ref', 'refs/tags/signed', sha]);
    },
    args: ['verify-commit', 'refs/tags/signed'],
  },
];

function quote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** Runs `git argv` under a pseudo-terminal (script(1)) with `env`. */
function underTty(argv: string[], env: NodeJS.ProcessEnv): void {
  spawnSync('script', ['-qec', ['git', ...argv].map(quote).join(' '), '/dev/null'], { env, stdio: 'ignore', timeout: 20_000 });
}

describe('git in an untrusted clone runs nothing the repository configures', () => {
  for (const v of VECTORS) {
    it(v.name, async () => {
      const control = marker();
      const r = clone();
      v.arm(r, control.touch);
      if (v.tty) underTty(['-C', r.dir, ...v.args], { ...process.env, ...GIT_ENV, TERM: 'dumb' });
      else plain(r, v.args);
      expect(existsSync(control.file), 'the control run proves the vector works').toBe(true);

      const guarded = marker();
      const r2 = clone();
      v.arm(r2, guarded.touch);
      if (v.tty) {
        // the helper's argv and environment, by hand, on a terminal
        const inv = gitInvocation(r2.dir, v.args);
        underTty(inv.argv, { ...inv.env, TERM: 'dumb' });
      } else {
        await git(r2.dir, v.args);
      }
      expect(existsSync(guarded.file), 'vouch ran the command the repository configured').toBe(false);
    });
  }
});

describe('the helper still reads what health needs', () => {
  it('log, ls-files and diff work with every guard on, filters emptied', async () => {
    const r = clone();
    r.git(['config', 'filter.evil.clean', 'false']);
    r.git(['config', 'filter.evil.required', 'true']);
    r.git(['config', 'core.fsmonitor', 'false; exit 1']);
    expect((await git(r.dir, ['ls-files'])).stdout.split('\n').filter(Boolean).sort()).toEqual(['.gitattributes', 'a.txt']);
    const log = await git(r.dir, ['log', '--format=%s']);
    expect(log).toMatchObject({ code: 0, stdout: 'one\n' });
    const diff = await git(r.dir, ['diff']);
    expect(diff.code).toBe(0);
    expect(diff.stdout).toContain('+two');
  });

  it('GIT_DIR and GIT_CONFIG_PARAMETERS from outside do not steer it', async () => {
    const r = clone();
    const other = new TestRepo('other').write('b.txt', 'b\n').commit('other', '2025-01-01T00:00:00Z');
    const save = { dir: process.env['GIT_DIR'], params: process.env['GIT_CONFIG_PARAMETERS'] };
    process.env['GIT_DIR'] = path.join(other.dir, '.git');
    process.env['GIT_CONFIG_PARAMETERS'] = `'core.fsmonitor'='${marker().touch}'`;
    try {
      expect((await git(r.dir, ['log', '--format=%s'])).stdout).toBe('one\n');
      const inv = gitInvocation(r.dir, ['log'], IDENT_OPTS);
      expect(Object.keys(inv.env).filter((k) => k === 'GIT_DIR' || k === 'GIT_CONFIG_PARAMETERS')).toEqual([]);
    } finally {
      for (const [k, v] of [['GIT_DIR', save.dir], ['GIT_CONFIG_PARAMETERS', save.params]] as const) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    }
  });

  it('settings the caller passes come after the guards (the verifier names its own allowed signers)', () => {
    const inv = gitInvocation('/x', ['verify-tag', 'v1'], { config: { 'gpg.ssh.allowedSignersFile': '/keys/allowed' } });
    const keys = Number(inv.env['GIT_CONFIG_COUNT']);
    const set = new Map<string, string>();
    for (let i = 0; i < keys; i++) set.set(inv.env[`GIT_CONFIG_KEY_${i}`]!, inv.env[`GIT_CONFIG_VALUE_${i}`]!);
    expect(set.get('gpg.ssh.allowedSignersFile')).toBe('/keys/allowed');
    expect(set.get('core.fsmonitor')).toBe('false');
    expect(inv.argv.slice(0, 4)).toEqual(['--no-pager', '-C', '/x', 'verify-tag']);
    expect(gitInvocation('/x', ['log', '-p']).argv).toEqual(['--no-pager', '-C', '/x', 'log', '--no-ext-diff', '--no-textconv', '-p']);
  });
});

const IDENT_OPTS = { config: IDENT };

describe('a configuration that would make git wait for ever', () => {
  it('an include that is a FIFO: git is stopped at the timeout with one line, not waited on', async () => {
    const r = clone();
    spawnSync('mkfifo', [path.join(r.dir, '.git', 'evil.cfg')]);
    r.git(['config', 'include.path', 'evil.cfg']);
    await expect(git(r.dir, ['log', '--format=%s'], { timeoutMs: 1500 })).rejects.toMatchObject({ code: 'INPUT_UNSUPPORTED', message: expect.stringContaining('did not finish') });
  });
});

describe('the work tree stays the folder given', () => {
  it('core.worktree pointing elsewhere (the host) is refused with one line, nothing read there', async () => {
    const r = clone();
    const elsewhere = mkdtempSync(path.join(tmp, 'host-'));
    writeFileSync(path.join(elsewhere, 'SECURITY.md'), 'host file');
    r.git(['config', 'core.worktree', elsewhere]);
    await expect(checkRepository(r.dir, { skipVulnerabilities: true })).rejects.toMatchObject({ code: 'INPUT_UNSAFE', message: expect.stringContaining('core.worktree') });
  });
});
