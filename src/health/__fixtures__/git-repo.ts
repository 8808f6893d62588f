/**
 * Test repositories: `git init` in a temp folder, files written, commits made with fixed author
 * and committer dates and identities, isolated from the machine's git configuration.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const roots: string[] = [];
/** GNUPGHOMEs whose gpg-agent must be stopped at cleanup. */
const gpgHomes: string[] = [];

/** Environment that ignores global/system config so the machine's settings cannot leak in. */
export const GIT_ENV: Record<string, string> = {
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_TERMINAL_PROMPT: '0',
  HOME: '/nonexistent-vouch-test-home',
};

export interface Author {
  name: string;
  email: string;
}

export const ALICE: Author = { name: 'Alice', email: 'alice@acme.example' };

export class TestRepo {
  readonly dir: string;

  constructor(prefix = 'health') {
    this.dir = mkdtempSync(path.join(tmpdir(), `vouch-${prefix}-`));
    roots.push(this.dir);
    this.git(['init', '-q', '-b', 'main']);
  }

  git(args: string[], env: Record<string, string> = {}): string {
    return execFileSync('git', ['-C', this.dir, '-c', 'commit.gpgsign=false', '-c', 'tag.gpgsign=false', ...args], {
      encoding: 'utf8',
      env: { ...process.env, ...GIT_ENV, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  }

  write(rel: string, content: string | Buffer, mode?: number): this {
    const f = path.join(this.dir, rel);
    mkdirSync(path.dirname(f), { recursive: true });
    writeFileSync(f, content);
    if (mode !== undefined) chmodSync(f, mode);
    return this;
  }

  /** Stages everything and commits at `date` (ISO) as `author` (committer too unless given). */
  commit(message: string, date: string, author: Author = ALICE, committer: Author = author, extraArgs: string[] = []): this {
    this.git(['add', '-A']);
    this.git(['commit', '-q', '--allow-empty', '-m', message, ...extraArgs], {
      GIT_AUTHOR_NAME: author.name,
      GIT_AUTHOR_EMAIL: author.email,
      GIT_AUTHOR_DATE: date,
      GIT_COMMITTER_NAME: committer.name,
      GIT_COMMITTER_EMAIL: committer.email,
      GIT_COMMITTER_DATE: date,
    });
    return this;
  }

  /** One commit per `everyDays` days from `start` for `count` commits. */
  commits(count: number, start: string, everyDays: number, author: Author = ALICE): this {
    const t0 = Date.parse(start);
    for (let i = 0; i < count; i++) this.commit(`change ${i}`, new Date(t0 + i * everyDays * 86_400_000).toISOString(), author);
    return this;
  }

  tag(name: string, date: string, extra: string[] = [], config: string[] = [], env: Record<string, string> = {}): this {
    this.git([...config, 'tag', ...extra, name], {
      ...env,
      GIT_COMMITTER_NAME: ALICE.name,
      GIT_COMMITTER_EMAIL: ALICE.email,
      GIT_COMMITTER_DATE: date,
    });
    return this;
  }
}

export function cleanupRepos(): void {
  for (const h of gpgHomes.splice(0)) {
    try {
      execFileSync('gpgconf', ['--kill', 'gpg-agent'], { env: { ...process.env, GNUPGHOME: h }, stdio: 'ignore' });
    } catch {
      // no agent was started
    }
  }
  for (const r of roots.splice(0)) rmSync(r, { recursive: true, force: true });
}

/** A fresh ssh ed25519 key pair in a temp folder: { key, pub, allowedSigners } paths. */
export function sshKey(email: string = ALICE.email): { key: string; pub: string; allowedSigners: string } {
  const dir = mkdtempSync(path.join(tmpdir(), 'vouch-sshkey-'));
  roots.push(dir);
  const key = path.join(dir, 'id_ed25519');
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', email, '-f', key], { stdio: 'ignore' });
  const pub = `${key}.pub`;
  const allowedSigners = path.join(dir, 'allowed_signers');
  const pubText = readFileSync(pub, 'utf8').trim();
  writeFileSync(allowedSigners, `${email} ${pubText}\n`);
  return { key, pub, allowedSigners };
}

/** A fresh gpg ed25519 signing key without passphrase: { home (GNUPGHOME with the secret key), keyring (exported public key) }. */
export function gpgKey(uid: string = `Alice <${ALICE.email}>`): { home: string; keyring: string } {
  const dir = mkdtempSync(path.join(tmpdir(), 'vouch-gpg-'));
  roots.push(dir);
  const home = path.join(dir, 'home');
  mkdirSync(home, { mode: 0o700 });
  gpgHomes.push(home);
  const env = { ...process.env, GNUPGHOME: home };
  execFileSync('gpg', ['--batch', '--quiet', '--passphrase', '', '--quick-gen-key', uid, 'ed25519', 'sign', 'never'], { env, stdio: 'ignore' });
  const keyring = path.join(dir, 'pub.gpg');
  writeFileSync(keyring, execFileSync('gpg', ['--batch', '--export'], { env }));
  return { home, keyring };
}
