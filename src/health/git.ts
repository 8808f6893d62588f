/**
 * Reading a local clone's history with the `git` binary (execFile, never a shell). Nothing here
 * touches the network: only log, for-each-ref, cat-file, ls-files and verify-* are run, and the
 * clone is untrusted: git runs with every command its configuration could name switched off.
 */
import { execFile } from 'node:child_process';
import { VouchError } from '../model/errors.js';

export interface GitRunOptions {
  env?: Record<string, string>;
  /** Extra `-c key=value` settings placed before the subcommand. */
  config?: Record<string, string>;
  /**
   * Milliseconds before git is killed (default 5 minutes; 30 s for reading the configuration, which
   * every command does first): a clone can hold a FIFO where git reads, and git would wait for ever.
   */
  timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 5 * 60 * 1000;
/** Reading the configuration is instant; longer means it waits on something (a FIFO include). */
const CONFIG_TIMEOUT_MS = 30 * 1000;

export interface GitResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Settings that switch off every command a repository's own configuration can make git run. A
 * clone is untrusted input: its `.git/config` (and anything it includes) may name an fsmonitor
 * hook, hooks, a pager, an external diff or textconv, clean/smudge/process filters, an ssh
 * command, a transport, a credential helper or askpass, an editor or a gpg program. Command-line
 * settings (passed here through GIT_CONFIG_COUNT, which does not split keys at `=`) override
 * every file.
 */
const SAFE_CONFIG: ReadonlyArray<readonly [string, string]> = [
  ['core.fsmonitor', 'false'],
  ['core.hooksPath', '/dev/null'],
  ['core.pager', 'cat'],
  ['core.editor', 'false'],
  ['sequence.editor', 'false'],
  ['core.askPass', ''],
  ['credential.helper', ''], // an empty value empties the list of helpers
  ['core.sshCommand', 'false'],
  ['core.gitProxy', ''],
  ['protocol.allow', 'never'], // no transport at all: ext::, ssh, file, http
  ['protocol.ext.allow', 'never'],
  ['protocol.file.allow', 'never'],
  ['protocol.ssh.allow', 'never'],
  ['protocol.git.allow', 'never'],
  ['protocol.http.allow', 'never'],
  ['protocol.https.allow', 'never'],
  ['diff.external', ''], // an empty command cannot run: git fails rather than run the repository's
  ['gpg.program', 'gpg'],
  ['gpg.openpgp.program', 'gpg'],
  ['gpg.x509.program', 'gpgsm'],
  ['gpg.ssh.program', 'ssh-keygen'],
  ['gpg.ssh.defaultKeyCommand', ''],
  ['gpg.ssh.allowedSignersFile', '/dev/null'], // signers the repository names for itself prove nothing
  ['log.showSignature', 'false'],
];

/** Subcommands that can produce a diff: they also get --no-ext-diff --no-textconv. */
const DIFF_COMMANDS = new Set(['log', 'show', 'diff', 'whatchanged', 'diff-tree', 'diff-index', 'diff-files', 'format-patch']);

/**
 * Keys named by the repository (`filter.<driver>.clean`, `diff.<driver>.textconv`, a
 * `protocol.<name>.allow` more specific than protocol.allow ...) that run a command or open a
 * transport: each found is emptied (or set to never).
 */
const DRIVER_COMMAND = /^(?:filter\..+\.(?:clean|smudge|process)|diff\..+\.(?:command|textconv)|merge\..+\.driver|protocol\..+\.allow|remote\..+\.(?:uploadpack|receivepack))$/is;

export interface GitInvocation {
  argv: string[];
  env: Record<string, string>;
}

/**
 * The environment git runs with: the caller's without any GIT_* variable (a GIT_DIR, GIT_SSH_COMMAND
 * or GIT_CONFIG_PARAMETERS from outside must not steer it), no system config, no prompts, no
 * pager, replace refs ignored (a clone cannot rewrite its own history as vouch sees it), and the
 * settings above plus `config` as command-line configuration.
 */
function gitEnv(config: ReadonlyArray<readonly [string, string]>, extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v === undefined || k.startsWith('GIT_') || k === 'SSH_ASKPASS' || k === 'PAGER') continue;
    env[k] = v;
  }
  Object.assign(env, {
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_TERMINAL_PROMPT: '0',
    GIT_PAGER: 'cat',
    PAGER: 'cat',
    GIT_NO_REPLACE_OBJECTS: '1',
    GIT_OPTIONAL_LOCKS: '0',
    LC_ALL: 'C',
  });
  config.forEach(([k, v], i) => {
    env[`GIT_CONFIG_KEY_${i}`] = k;
    env[`GIT_CONFIG_VALUE_${i}`] = v;
  });
  env['GIT_CONFIG_COUNT'] = String(config.length);
  return { ...env, ...extra };
}

/**
 * The argv and environment for one git command in an untrusted clone: `--no-pager`, `-C repo`,
 * the subcommand (with --no-ext-diff --no-textconv when it can show a diff), and an environment
 * in which every command the repository configures is switched off. `drivers` are the
 * repository's own per-driver keys (filter/diff/merge drivers and protocols have names the
 * repository chooses, so they are found first with `git config --list` and each is emptied).
 */
export function gitInvocation(repo: string, args: readonly string[], opts: GitRunOptions = {}, drivers: readonly string[] = []): GitInvocation {
  const config: Array<readonly [string, string]> = [...SAFE_CONFIG];
  for (const key of drivers) {
    config.push([key, /^protocol\./i.test(key) ? 'never' : '']);
    const m = /^filter\.(.+)\.[a-z]+$/is.exec(key);
    if (m) config.push([`filter.${m[1]}.required`, 'false']);
  }
  for (const [k, v] of Object.entries(opts.config ?? {})) config.push([k, v]);
  const [sub, ...rest] = args;
  const argv = ['--no-pager', '-C', repo];
  if (sub !== undefined) argv.push(sub, ...(DIFF_COMMANDS.has(sub) ? ['--no-ext-diff', '--no-textconv'] : []), ...rest);
  return { argv, env: gitEnv(config, opts.env) };
}

function run(inv: GitInvocation, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<GitResult> {
  return new Promise((resolve, reject) => {
    execFile('git', inv.argv, { encoding: 'utf8', maxBuffer: 512 * 1024 * 1024, env: inv.env, timeout: timeoutMs, killSignal: 'SIGKILL' }, (err, stdout, stderr) => {
      if (err && (err as { killed?: boolean }).killed) {
        reject(new VouchError('INPUT_UNSUPPORTED', `git ${inv.argv[3] ?? ''} did not finish within ${Math.round(timeoutMs / 1000)} s (a FIFO in the repository's configuration?); stopped`, { cause: err }));
        return;
      }
      if (err && typeof (err as NodeJS.ErrnoException).code === 'string') {
        reject(new VouchError('INPUT_UNSUPPORTED', `cannot run git: ${(err as Error).message}`, { cause: err }));
        return;
      }
      const code = err ? ((err as { code?: number }).code ?? 1) : 0;
      resolve({ code: typeof code === 'number' ? code : 1, stdout, stderr });
    });
  });
}

/**
 * The repository's per-driver keys (see gitInvocation), read afresh for every command (a
 * long-lived process must not trust what it read before). Reading configuration runs nothing.
 */
async function driverKeys(repo: string, timeoutMs?: number): Promise<string[] | GitResult> {
  const r = await run(gitInvocation(repo, ['config', '--list', '-z', '--includes']), Math.min(timeoutMs ?? CONFIG_TIMEOUT_MS, CONFIG_TIMEOUT_MS));
  if (r.code !== 0) return r;
  const keys = new Set<string>();
  for (const entry of r.stdout.split('\0')) {
    const nl = entry.indexOf('\n');
    const key = nl < 0 ? entry : entry.slice(0, nl);
    if (DRIVER_COMMAND.test(key)) keys.add(key);
  }
  return [...keys];
}

/**
 * Runs git in `repo` (an untrusted clone: nothing its configuration names is run, see
 * gitInvocation); resolves with the exit code instead of throwing on a non-zero exit.
 */
export async function git(repo: string, args: readonly string[], opts: GitRunOptions = {}): Promise<GitResult> {
  const drivers = await driverKeys(repo, opts.timeoutMs);
  // configuration that cannot be read: fail rather than run without knowing its drivers
  if (!Array.isArray(drivers)) return drivers;
  return run(gitInvocation(repo, args, opts, drivers), opts.timeoutMs);
}

/** Like git() but a non-zero exit is a VouchError naming the repository. */
export async function gitOk(repo: string, args: readonly string[], opts: GitRunOptions = {}): Promise<string> {
  const r = await git(repo, args, opts);
  if (r.code !== 0) {
    throw new VouchError('INPUT_PARSE', `git ${args[0]} failed: ${r.stderr.trim().split('\n')[0] ?? `exit ${r.code}`}`, { path: repo });
  }
  return r.stdout;
}

export interface Commit {
  sha: string;
  authorName: string;
  authorEmail: string;
  /** seconds since the epoch */
  authorTime: number;
  committerName: string;
  committerEmail: string;
  committerTime: number;
  parents: string[];
  subject: string;
  /** Trailers as `Key: value` lines (unfolded). */
  trailers: string[];
}

const FS = '\x1f';
const RS = '\x1e';
const FORMAT = ['%H', '%an', '%ae', '%at', '%cn', '%ce', '%ct', '%P', '%s', '%(trailers:only,unfold)'].join('%x1f') + '%x1e';

/** Commits reachable from HEAD, newest first. `firstParent` follows the mainline only. */
export async function readCommits(repo: string, opts: { firstParent?: boolean; max?: number } = {}): Promise<Commit[]> {
  const args = ['log', `--format=${FORMAT}`, '--no-color', '--no-show-signature'];
  if (opts.firstParent) args.push('--first-parent');
  if (opts.max !== undefined) args.push(`--max-count=${opts.max}`);
  args.push('HEAD', '--');
  const r = await git(repo, args);
  if (r.code !== 0) {
    // an empty repository has no HEAD: no history, not an error
    if (/does not have any commits|unknown revision|bad (default )?revision/.test(r.stderr)) return [];
    throw new VouchError('INPUT_PARSE', `git log failed: ${r.stderr.trim().split('\n')[0] ?? ''}`, { path: repo });
  }
  return parseLog(r.stdout);
}

export function parseLog(out: string): Commit[] {
  const commits: Commit[] = [];
  for (const rec of out.split(RS)) {
    const f = rec.replace(/^\n/, '').split(FS);
    if (f.length < 10 || !f[0]) continue;
    commits.push({
      sha: f[0],
      authorName: f[1]!,
      authorEmail: f[2]!.toLowerCase(),
      authorTime: Number(f[3]),
      committerName: f[4]!,
      committerEmail: f[5]!.toLowerCase(),
      committerTime: Number(f[6]),
      parents: f[7] ? f[7].split(' ') : [],
      subject: f[8]!,
      trailers: f[9]!.split('\n').map((l) => l.trim()).filter(Boolean),
    });
  }
  return commits;
}

export interface Tag {
  name: string;
  /** 'tag' for an annotated tag, 'commit' for a lightweight one. */
  type: string;
  /** Tagger date for annotated tags, else the commit's committer date (seconds). */
  time: number;
  /** The commit the tag points at. */
  commit: string;
}

export async function readTags(repo: string): Promise<Tag[]> {
  const out = await gitOk(repo, [
    'for-each-ref',
    '--format=%(refname:short)%1f%(objecttype)%1f%(taggerdate:unix)%1f%(committerdate:unix)%1f%(*committerdate:unix)%1f%(*objectname)%1f%(objectname)',
    'refs/tags',
  ]);
  const tags: Tag[] = [];
  for (const line of out.split('\n')) {
    const f = line.split('\x1f');
    if (f.length < 7 || !f[0]) continue;
    const annotated = f[1] === 'tag';
    const time = Number(annotated ? f[2] || f[4] : f[3]);
    tags.push({ name: f[0], type: f[1]!, time: Number.isFinite(time) ? time : 0, commit: annotated ? f[5]! : f[6]! });
  }
  return tags;
}

/** The raw object (`git cat-file -p`), e.g. to look for a gpgsig header or an appended signature. */
export async function catFile(repo: string, ref: string): Promise<string> {
  return gitOk(repo, ['cat-file', '-p', ref]);
}

/** Files tracked in HEAD's index (the work tree's tracked files), repository-relative. */
export async function trackedFiles(repo: string): Promise<string[]> {
  const out = await gitOk(repo, ['ls-files', '-z']);
  return out.split('\0').filter(Boolean);
}
