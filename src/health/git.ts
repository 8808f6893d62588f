/**
 * Reading a local clone's history with the `git` binary (execFile, never a shell). Nothing here
 * touches the network: only log, for-each-ref, cat-file, ls-files and verify-* are run.
 */
import { execFile } from 'node:child_process';
import { VouchError } from '../model/errors.js';

export interface GitRunOptions {
  env?: Record<string, string>;
  /** Extra `-c key=value` settings placed before the subcommand. */
  config?: Record<string, string>;
}

export interface GitResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs git in `repo`; resolves with the exit code instead of throwing on a non-zero exit. */
export function git(repo: string, args: readonly string[], opts: GitRunOptions = {}): Promise<GitResult> {
  const pre = Object.entries(opts.config ?? {}).flatMap(([k, v]) => ['-c', `${k}=${v}`]);
  return new Promise((resolve, reject) => {
    execFile(
      'git',
      [...pre, '-C', repo, ...args],
      {
        encoding: 'utf8',
        maxBuffer: 512 * 1024 * 1024,
        // no pager, no prompts, no system config surprises when run under CI
        env: { ...process.env, GIT_TERMINAL_PROMPT: '0', GIT_PAGER: 'cat', LC_ALL: 'C', ...opts.env },
      },
      (err, stdout, stderr) => {
        if (err && typeof (err as NodeJS.ErrnoException).code === 'string') {
          reject(new VouchError('INPUT_UNSUPPORTED', `cannot run git: ${(err as Error).message}`, { cause: err }));
          return;
        }
        const code = err ? ((err as { code?: number }).code ?? 1) : 0;
        resolve({ code: typeof code === 'number' ? code : 1, stdout, stderr });
      },
    );
  });
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
