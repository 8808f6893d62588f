/**
 * `vouch fix --apply`, whatever the ecosystem: the fixer plans and says which files change and how
 * (FixApplication in ecosystems/types.ts); this file makes it safe. Every file the apply may change
 * is backed up (in memory, and in a temporary folder that survives a crash of this process), the
 * edits are written atomically, the fixer relocks, the project is rescanned, and any failure — the
 * relock fails, the rescan shows an advisory on a package that did not have it before, Ctrl-C —
 * writes every file back byte for byte and removes what a failed relock left behind.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { AdvisoryLookup } from '../advisories/match.js';
import type { FixTarget } from '../ecosystems/types.js';
import { VouchError, isVouchError } from '../model/errors.js';
import type { ApplyResult, FixPlan } from '../model/fix.js';
import { writeFileAtomic } from '../io/atomic-write.js';
import { type FixOptions, fixerFor, rankedPlan } from './plan.js';

/** Applies the plan of `target` (see the file comment); throws VouchError, the project restored, when it cannot. */
export async function applyTarget(target: FixTarget, lookup: AdvisoryLookup, opts: FixOptions): Promise<ApplyResult> {
  const { fixer, ctx } = fixerFor(target, lookup, opts);
  const fp = await rankedPlan(fixer, target, ctx);
  const { plan, apply } = fp;
  const before = fp.findings();
  // without a relock by vouch, a step is carried out only when it changes a file (a relock-only step waits for its command)
  const applied = apply.relock ? plan.steps : plan.steps.filter((s) => s.changes.some((c) => c.kind !== 'relock'));
  if (plan.steps.length === 0) return { plan, applied: [], before, after: before };
  await apply.check?.(plan);

  const originals: [string, Buffer][] = [];
  for (const f of apply.files) originals.push([f, await readFile(f)]);
  // files a failed relock leaves behind, removed on restore when they were not there before
  const leftovers = (apply.leftovers ?? []).filter((f) => !existsSync(f));
  // on-disk copies survive a crash of this process; removed once the run ends either way
  const backupDir = await mkdtemp(path.join(os.tmpdir(), 'vouch-fix-backup-'));
  for (const [f, data] of originals) await writeFile(path.join(backupDir, path.basename(f)), data);

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

/** The lockfile is the user's to regenerate: the last warning says with which commands. */
function relockByHand(plan: FixPlan, target: FixTarget, edited: boolean): void {
  const commands = [...new Set(plan.steps.flatMap((s) => (s.command ? [s.command] : [])))];
  if (commands.length) {
    plan.warnings.push(`${path.basename(target.manifest)} ${edited ? 'edited' : 'unchanged'}; the lockfile is not: regenerate it with ${commands.join(' && ')} (vouch does not run it), then rescan`);
  }
}
