/**
 * npm fix support (docs/fix.md): package.json planned from package-lock.json / npm-shrinkwrap.json,
 * yarn.lock (classic) or pnpm-lock.yaml with the npm registry's metadata (plan.ts), relocked with
 * npm, yarn 1 or pnpm (apply.ts). Only detection is here: the rest loads when `vouch fix` plans.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Fixer } from '../../types.js';
import { targetIn } from '../../shared/fix/common.js';

const NPM_LOCKS = ['npm-shrinkwrap.json', 'package-lock.json'];

export const fixer: Fixer = {
  manifests: [{ name: 'package.json', lockfiles: ['package-lock.json', 'npm-shrinkwrap.json', 'pnpm-lock.yaml', 'yarn.lock'] }],

  // package-lock.json (or npm-shrinkwrap.json) wins, else pnpm-lock.yaml, else yarn.lock; package.json
  // alone is npm's (planning it says which lockfile is missing)
  detect({ dir, file }) {
    const base = file === undefined ? undefined : path.basename(file);
    const pkg = path.join(dir, 'package.json');
    const project = base === undefined || base === 'package.json';
    const hasNpmLock = NPM_LOCKS.some((l) => existsSync(path.join(dir, l)));
    for (const [manager, lock] of [['pnpm', 'pnpm-lock.yaml'], ['yarn', 'yarn.lock']] as const) {
      if (base === lock || (project && !hasNpmLock && existsSync(path.join(dir, lock)))) return targetIn(manager, dir, pkg, [lock]);
    }
    if ((base === undefined && existsSync(pkg)) || base === 'package.json' || (base !== undefined && NPM_LOCKS.includes(base))) return targetIn('npm', dir, pkg, NPM_LOCKS);
    return undefined;
  },

  plan: async (target, ctx) => (await import('./target.js')).planNpmTarget(target, ctx),
};
