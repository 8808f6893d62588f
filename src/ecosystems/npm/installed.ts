/**
 * An installed node_modules tree, through the hidden lockfile npm (7+) writes into it:
 * `node_modules/.package-lock.json` records exactly what is installed, in package-lock v3 form
 * (keys `node_modules/a/node_modules/b`), without the project's own `""` entry. What is installed
 * can differ from what package-lock.json says (a stale install, a manual `npm i x`), which is why
 * it is read as an input of its own.
 *
 * The project's declared dependencies are not recorded, so, as for v1 lockfiles, an installed
 * top-level package that nothing else requires is taken as a direct dependency of the project.
 */
import path from 'node:path';
import type { InputFile, Inventory } from '../../model/inventory.js';
import { decodeText } from '../../io/json.js';
import type { Extractor } from '../types.js';
import { parsePackageLock } from './package-lock.js';
import { readRegularFile } from '../../io/input.js';

const ID = 'npm/installed';

export const installedExtractor: Extractor = {
  id: ID,
  needs: { network: false, runsCode: false },
  parseAs: ['node_modules/.package-lock.json'],

  /** `<project>/node_modules/.package-lock.json`, not one inside a dependency's own node_modules. */
  wants(p: string): boolean {
    const parts = p.split(/[/\\]/);
    return parts.at(-1) === '.package-lock.json' && parts.at(-2) === 'node_modules' && parts.indexOf('node_modules') === parts.length - 2;
  },

  async extract(input: InputFile): Promise<Inventory> {
    const inv = parsePackageLock(decodeText(await input.read(), input.path), input.path);
    const rootId = `root:${input.path}`;
    inv.graph.addRoot(rootId, await projectName(input.path));
    const required = new Set<string>();
    for (const [from, tos] of inv.graph.edges) if (from !== rootId) for (const to of tos) required.add(to);
    for (const [purl, c] of inv.graph.components) {
      if (required.has(purl)) continue;
      inv.graph.addEdge(rootId, purl);
      c.direct = true;
    }
    return { ...inv, source: { path: input.path, extractor: ID } };
  },
};

/** The installing project's name, from the package.json beside node_modules (else its folder name). */
async function projectName(hiddenLock: string): Promise<string> {
  const project = path.dirname(path.dirname(hiddenLock));
  try {
    const pkg = JSON.parse((await readRegularFile(path.join(project, 'package.json'))).toString('utf8')) as { name?: unknown };
    if (typeof pkg.name === 'string' && pkg.name) return pkg.name;
  } catch {
    // no readable package.json: the folder name says enough
  }
  return path.basename(path.resolve(project));
}
