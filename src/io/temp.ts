/**
 * Temporary folders that do not outlive an interrupted run. A folder made here is named
 * `<prefix><pid>-XXXXXX`, so that a later run can tell a dead process's leftovers (after a
 * SIGKILL, which no handler sees) from a live one's and remove them; and it is removed on
 * SIGINT, SIGTERM and SIGHUP before the process ends (128 + the signal's number, as shells
 * report it) — unless the command has its own handler for that signal, which then decides.
 */
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

const live = new Set<string>();
const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
let installed = false;

/** Other paths (files) to remove on a signal, with what each needs to decide. */
const cleanups = new Set<() => void>();

function onSignal(sig: (typeof SIGNALS)[number]): void {
  for (const d of live) rmSync(d, { recursive: true, force: true });
  live.clear();
  for (const c of cleanups) {
    try {
      c();
    } catch {
      // the process is ending: what cannot be removed now, the next run removes
    }
  }
  cleanups.clear();
  // only ours: end as the signal would have (the command's own handler, if any, decides otherwise)
  if (process.listenerCount(sig) === 1) process.exit(128 + (os.constants.signals[sig] ?? 0));
}

function install(): void {
  if (installed) return;
  installed = true;
  for (const sig of SIGNALS) process.on(sig, () => onSignal(sig));
}

/**
 * Runs `cleanup` (synchronous: removing temporary files, a lock) if SIGINT, SIGTERM or SIGHUP
 * ends the process before the returned function is called to unregister it.
 */
export function cleanupOnSignal(cleanup: () => void): () => void {
  cleanups.add(cleanup);
  install();
  return () => {
    cleanups.delete(cleanup);
  };
}

export interface TempDir {
  readonly dir: string;
  /** Removes the folder (idempotent). */
  dispose(): Promise<void>;
}

/** A new folder `<parent>/<prefix><pid>-XXXXXX`, removed on SIGINT/SIGTERM/SIGHUP until disposed. */
export async function makeTempDir(prefix: string, parent: string = os.tmpdir()): Promise<TempDir> {
  // the handlers first, then the folder made and recorded in one synchronous step: a signal (handled
  // by JavaScript only between tasks) cannot land between the folder's creation and its record —
  // with an awaited mkdtemp it could, and the process then died by the signal, leaving the folder
  install();
  const dir = mkdtempSync(path.join(parent, `${prefix}${process.pid}-`));
  live.add(dir);
  return {
    dir,
    dispose: async () => {
      live.delete(dir);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Whether a process with this id runs (EPERM: it does, as another user). */
export function processAlive(pid: number): boolean {
  if (!Number.isSafeInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

const STALE_AGE_MS = 7 * 24 * 3600 * 1000;

/**
 * Removes `<parent>/<prefix><pid>-*` folders of processes that are gone (a run killed with
 * SIGKILL, a crash) or older than a week; returns what was removed.
 */
export function removeStaleTempDirs(prefix: string, parent: string = os.tmpdir()): string[] {
  const removed: string[] = [];
  let names: string[];
  try {
    names = readdirSync(parent);
  } catch {
    return removed;
  }
  const re = new RegExp(`^${prefix.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(\\d+)-[^/]+$`);
  for (const name of names) {
    const m = re.exec(name);
    if (!m) continue;
    const pid = Number(m[1]);
    if (pid === process.pid) continue;
    const full = path.join(parent, name);
    let old: boolean;
    try {
      const st = statSync(full);
      if (!st.isDirectory()) continue;
      old = Date.now() - st.mtimeMs > STALE_AGE_MS;
    } catch {
      continue;
    }
    if (old || !processAlive(pid)) {
      rmSync(full, { recursive: true, force: true });
      removed.push(full);
    }
  }
  return removed;
}
