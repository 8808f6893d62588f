/** When the inputs read fall short of a clean run: one rule for `vouch scan`, `vouch sbom` and the server. */
import path from 'node:path';
import type { InputStatus } from '../model/inventory.js';

/**
 * Whether what was read falls short of what was asked for. A file named on the command line that
 * could not be read is always short. An input read only in part, and a file that a folder or root
 * walk found but could not read, are short unless `allowPartial`: a repository's own deliberately
 * broken test fixtures, or whatever else lies on a disk, must not block a gate the user chose to
 * open — they are still reported, input by input. `named`: the paths the user gave (not --rootfs).
 */
export function inputsIncomplete(inputs: readonly InputStatus[], opts: { allowPartial: boolean; named: readonly string[] }): boolean {
  const named = new Set(opts.named.map((p) => path.resolve(p)));
  return inputs.some((i) => {
    if (i.status === 'failed') return !opts.allowPartial || named.has(path.resolve(i.path));
    return i.status === 'partial' && !opts.allowPartial;
  });
}
