/**
 * Where the policy file is when none is named. Apart from policy.ts so that a scan without a
 * policy never loads the policy evaluator (YAML, SPDX expression parsing).
 */
import { existsSync, realpathSync, statSync } from 'node:fs';
import path from 'node:path';
import { VouchError } from '../model/errors.js';

export const POLICY_FILE_NAMES = ['vouch.policy.yaml', 'vouch.policy.yml'] as const;

/**
 * The policy file that applies when none is named: `vouch.policy.yaml` (or `.yml`) in the first
 * of `startDirs` that has one, in order — the CLI passes the current directory first, then each
 * input folder (the folder of a file input). Two different policy files in input folders (none in
 * the first directory) are ambiguous: a USAGE error asks for --policy. Both names in one folder
 * are an error too. Returns undefined when there is none.
 */
export function findPolicyFile(startDirs: readonly string[]): string | undefined {
  const found: { file: string; real: string }[] = [];
  for (const [i, dir] of startDirs.entries()) {
    const here = POLICY_FILE_NAMES.map((n) => path.join(dir, n)).filter((f) => isFile(f));
    if (here.length > 1) throw new VouchError('USAGE', `both ${POLICY_FILE_NAMES.join(' and ')} exist in ${dir}; keep one`);
    if (!here[0]) continue;
    if (i === 0) return here[0];
    found.push({ file: here[0], real: realpathSync(here[0]) });
  }
  const distinct = [...new Map(found.map((f) => [f.real, f])).values()];
  if (distinct.length > 1) {
    throw new VouchError('USAGE', `several policy files apply (${distinct.map((d) => d.file).join(', ')}); name one with --policy`);
  }
  return distinct[0]?.file;
}

function isFile(f: string): boolean {
  try {
    return existsSync(f) && statSync(f).isFile();
  } catch {
    return false;
  }
}
