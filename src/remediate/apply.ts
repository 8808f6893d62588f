/**
 * `vouch fix --apply`, whatever the ecosystem: the fixer plans and says which files change and how
 * (FixApplication in ecosystems/types.ts); this file makes it safe. Every file the apply may change
 * is backed up (in memory, and in a temporary folder that survives a crash of this process), the
 * edits are written atomically, the fixer relocks, the project is rescanned, and any failure — the
 * relock fails, the rescan shows an advisory on a package that did not have it before, Ctrl-C,
 * SIGTERM, SIGHUP — writes every file back byte for byte and removes what a failed relock left
 * behind. A run killed outright (SIGKILL, a power cut) leaves its backup folder
 * (`vouch-fix-backup-<pid>-*` in the temporary folder, with `backup.json` saying which files of
 * which project it holds): the next `vouch fix --apply` of that project restores them first.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { AdvisoryLookup } from '../advisories/match.js';
import type { FixTarget } from '../ecosystems/types.js';
import { VouchError, isVouchError } from '../model/errors.js';
import type { ApplyResult, FixPlan } from '../model/fix.js';
import { writeFileAtomic } from '../io/atomic-write.js';
import { MAX_INPUT_BYTES, readRegularFile } from '../io/input.js';
import { processAlive } from '../io/temp.js';
import { type FixOptions, fixerFor, rankedPlan } from './plan.js';

/** Applies the plan of `target` (see the file comment); throws VouchError, the project restored, when it cannot. */
export async function applyTarget(target: FixTarget, lookup: AdvisoryLookup, opts: FixOptions): Promise<ApplyResult> {
  // an earlier apply of this project killed outright: its files back first, then plan on them
  const recovered = await recoverInterrupted(target.dir);
  const { fixer, ctx } = fixerFor(target, lookup, opts);
  const fp = await rankedPlan(fixer, target, ctx);
  const { plan, apply } = fp;
  plan.warnings.unshift(...recovered);
  const before = fp.findings();
  // without a relock by vouch, a step is carried out only when it changes a file (a relock-only step waits for its command)
  const applied = apply.relock ? plan.steps : plan.steps.filter((s) => s.changes.some((c) => c.kind !== 'relock'));
  if (plan.steps.length === 0) return { plan, applied: [], before, after: before };
  await apply.check?.(plan);

  const originals: [string, Buffer][] = [];
  for (const f of apply.files) originals.push([f, await readRegularFile(f, { maxBytes: MAX_INPUT_BYTES })]);
  // files a failed relock leaves behind, removed on restore when they were not there before
  const leftovers = (apply.leftovers ?? []).filter((f) => !existsSync(f));
  // on-disk copies survive a crash of this process (the next apply restores them); removed once the run ends either way
  const backupDir = await mkdtemp(path.join(os.tmpdir(), `${BACKUP_PREFIX}${process.pid}-`));
  const manifest: BackupManifest = { pid: process.pid, dir: path.resolve(target.dir), state: 'applying', files: [], leftovers: leftovers.map((f) => path.resolve(f)) };
  for (const [i, [f, data]] of originals.entries()) {
    const name = `${i}-${path.basename(f)}`;
    await writeFile(path.join(backupDir, name), data);
    manifest.files.push({ path: path.resolve(f), backup: name });
  }
  // written last: a backup.json present means every copy is complete
  await writeFileAtomic(path.join(backupDir, BACKUP_MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`);

  const interrupted = (): void => {
    if (opts.signal?.aborted) throw new VouchError('USAGE', 'interrupted', { path: target.dir });
  };
  try {
    for (const e of apply.edits(plan)) await writeFileAtomic(e.file, e.text);
    interrupted();
    await apply.relock?.(plan);
    interrupted();
    const after = apply.rescan ? await apply.rescan() : before;
    // new = an advisory on a package that did not have it before (versions change, so compare name + id)
    const key = (pair: string): string => pair.replace(/@[^@ ]+ /, ' ');
    const had = new Set(before.map(key));
    const added = after.filter((p) => !had.has(key(p)));
    if (added.length) {
      const what = apply.relock ? 'the relocked tree' : `the edited ${path.basename(target.manifest)}`;
      throw new VouchError('INPUT_UNSUPPORTED', `${what} has ${added.length} advisory finding(s) that were not there before (${added.slice(0, 3).join(', ')}${added.length > 3 ? ', ...' : ''})`, {
        path: apply.files[apply.files.length - 1]!,
      });
    }
    if (!apply.relock) relockByHand(plan, target, applied.length > 0);
    // done: a kill from here on must not restore the old files
    await writeFileAtomic(path.join(backupDir, BACKUP_MANIFEST), `${JSON.stringify({ ...manifest, state: 'done' }, null, 2)}\n`);
    await rm(backupDir, { recursive: true, force: true });
    return { plan, applied, before, after };
  } catch (e) {
    try {
      for (const [f, data] of originals) await writeFileAtomic(f, data);
      for (const f of leftovers) await rm(f, { force: true });
    } catch (restoreError) {
      throw new VouchError('INPUT_UNSAFE', `fix failed and the project could not be restored; the originals are in ${backupDir}`, { path: target.dir, cause: restoreError });
    }
    await rm(backupDir, { recursive: true, force: true });
    const restored = apply.files.length > 1 ? `${path.basename(apply.files[0]!)} and the lockfile` : path.basename(apply.files[0]!);
    const why = isVouchError(e) ? e.oneLine() : (e as Error).message;
    throw new VouchError(isVouchError(e) ? e.code : 'INPUT_UNSUPPORTED', `fix not applied, ${restored} restored: ${why}`, { cause: e });
  }
}

const BACKUP_PREFIX = 'vouch-fix-backup-';
const BACKUP_MANIFEST = 'backup.json';

interface BackupManifest {
  pid: number;
  /** the project folder (absolute) */
  dir: string;
  /** `applying` until the apply ended well (`done`: nothing to restore) */
  state: 'applying' | 'done';
  files: { path: string; backup: string }[];
  leftovers: string[];
}

/**
 * Backups of applies to `dir` whose process is gone (killed with SIGKILL mid-apply): each file
 * written back byte for byte, what a relock left removed, the backup folder removed. One note
 * per backup restored. Backups of other projects, or of a live process, are left alone.
 */
export async function recoverInterrupted(dir: string, tmp: string = os.tmpdir()): Promise<string[]> {
  const notes: string[] = [];
  const want = path.resolve(dir);
  let names: string[];
  try {
    names = readdirSync(tmp);
  } catch {
    return notes;
  }
  const re = new RegExp(`^${BACKUP_PREFIX}(\\d+)-`);
  for (const name of names.sort()) {
    const m = re.exec(name);
    if (!m || Number(m[1]) === process.pid || processAlive(Number(m[1]))) continue;
    const folder = path.join(tmp, name);
    let manifest: BackupManifest;
    try {
      manifest = JSON.parse(readFileSync(path.join(folder, BACKUP_MANIFEST), 'utf8')) as BackupManifest;
    } catch {
      continue; // not complete, or not ours: the files it holds were never overwritten
    }
    if (manifest.dir !== want) continue;
    if (manifest.state === 'applying') {
      for (const f of manifest.files) await writeFileAtomic(f.path, await readRegularFile(path.join(folder, f.backup), { maxBytes: MAX_INPUT_BYTES }));
      for (const f of manifest.leftovers) await rm(f, { force: true });
      notes.push(`restored ${manifest.files.map((f) => path.basename(f.path)).join(', ')} from an apply that was killed (pid ${manifest.pid}) before it ended`);
    }
    await rm(folder, { recursive: true, force: true });
  }
  return notes;
}

/** The lockfile is the user's to regenerate: the last warning says with which commands. */
function relockByHand(plan: FixPlan, target: FixTarget, edited: boolean): void {
  const commands = [...new Set(plan.steps.flatMap((s) => (s.command ? [s.command] : [])))];
  if (commands.length) {
    plan.warnings.push(`${path.basename(target.manifest)} ${edited ? 'edited' : 'unchanged'}; the lockfile is not: regenerate it with ${commands.join(' && ')} (vouch does not run it), then rescan`);
  }
}
