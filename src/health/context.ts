/** What every check reads: the clone's tracked files, its workflows and its history, read once. */
import { lstat, open, readFile } from 'node:fs/promises';
import path from 'node:path';
import { type Commit, type Tag, readCommits, readTags, trackedFiles } from './git.js';
import { type Workflow, isWorkflowPath, parseWorkflow } from './workflows.js';

export interface RepoContext {
  root: string;
  files: string[];
  workflows: Workflow[];
  /** Every commit reachable from HEAD, newest first. */
  commits: Commit[];
  /** HEAD's mainline (first-parent) commits, newest first: one per merged change. */
  mainline: Commit[];
  tags: Tag[];
  /** "now" in seconds since the epoch (`--now`, for reproducible reports). */
  now: number;
  read(rel: string): Promise<string | undefined>;
  head(rel: string, bytes: number): Promise<Buffer | undefined>;
}

/** Files larger than this are not read as text by checks (they can still be sniffed by head()). */
const MAX_TEXT = 2 * 1024 * 1024;

export async function loadContext(root: string, now: number): Promise<RepoContext> {
  const [files, commits, mainline, tags] = await Promise.all([
    trackedFiles(root),
    readCommits(root),
    readCommits(root, { firstParent: true, max: 200 }),
    readTags(root),
  ]);
  // Only regular files are read: a tracked symlink is not followed (it could point at /dev/zero,
  // a FIFO or a file outside the clone), and size is checked before reading.
  const regular = async (rel: string): Promise<{ file: string; size: number } | undefined> => {
    const file = path.join(root, rel);
    const st = await lstat(file).catch(() => undefined);
    return st?.isFile() ? { file, size: st.size } : undefined;
  };
  const read = async (rel: string): Promise<string | undefined> => {
    const f = await regular(rel);
    if (!f || f.size > MAX_TEXT) return undefined;
    try {
      return await readFile(f.file, 'utf8');
    } catch {
      return undefined; // vanished or unreadable
    }
  };
  const head = async (rel: string, bytes: number): Promise<Buffer | undefined> => {
    const f = await regular(rel);
    if (!f) return undefined;
    let fh;
    try {
      fh = await open(f.file, 'r');
      const buf = Buffer.alloc(bytes);
      const { bytesRead } = await fh.read(buf, 0, bytes, 0);
      return buf.subarray(0, bytesRead);
    } catch {
      return undefined;
    } finally {
      await fh?.close();
    }
  };
  const workflows: Workflow[] = [];
  for (const f of files.filter(isWorkflowPath).sort()) {
    const text = await read(f);
    if (text !== undefined) workflows.push(parseWorkflow(f, text));
  }
  return { root, files, workflows, commits, mainline, tags, now, read, head };
}
