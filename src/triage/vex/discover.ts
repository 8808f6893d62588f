/**
 * VEX documents that sit beside a scan's inputs: for a file input, its folder; for a folder input,
 * the folder's top level (no deeper walk). Names, compared case-insensitively: `openvex.json`,
 * `vex.json`, `*.openvex.json`, `*.vex.json` (so also `*.cdx.vex.json`) and `*.vex.cdx.json`.
 */
import { type Dirent, readdirSync, statSync } from 'node:fs';
import path from 'node:path';

const VEX_NAME_RE = /(^|\.)(openvex|vex)\.json$|\.vex\.cdx\.json$/;

/** True for a file name discovery picks up. */
export function isVexFileName(name: string): boolean {
  return VEX_NAME_RE.test(name.toLowerCase());
}

/**
 * The VEX files beside the inputs, each once, in input order and by name within a folder. Inputs
 * that do not exist or cannot be listed are passed over (the scan reports them itself).
 */
export function discoverVexFiles(inputPaths: readonly string[]): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  const dirsDone = new Set<string>();
  for (const input of inputPaths) {
    let dir: string;
    try {
      dir = statSync(input).isDirectory() ? input : path.dirname(input);
    } catch {
      continue;
    }
    const key = path.resolve(dir);
    if (dirsDone.has(key)) continue;
    dirsDone.add(key);
    let entries: Dirent[];
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      continue;
    }
    const names = entries
      .filter((e) => (e.isFile() || e.isSymbolicLink()) && isVexFileName(e.name))
      .map((e) => e.name)
      .sort();
    for (const n of names) {
      const full = path.join(dir, n);
      const abs = path.resolve(full);
      if (seen.has(abs)) continue;
      // a symlink must lead to a file
      try {
        if (!statSync(full).isFile()) continue;
      } catch {
        continue;
      }
      seen.add(abs);
      out.push(full);
    }
  }
  return out;
}
