import type { Ecosystem } from '../types.js';
import { versioning } from './versioning.js';
import { extractors } from './extractors.js';
import { fixer } from './fix/index.js';

export const npm: Ecosystem = {
  osvName: 'npm',
  purlType: 'npm',
  purlNamespaceSeparator: '/',
  /** identity: npm names are case-sensitive (legacy mixed-case packages exist) and OSV compares them exactly */
  normalizeName: (name) => name.trim(),
  /** a `/` only after an @scope (`github.com/u/repo` is pnpm's key for a git dependency, not a name) */
  isPackageName: (name) => !name.includes('/') || /^@[^/@]+\/[^/@]+$/.test(name),
  versioning,
  extractors,
  lockfileHints: [{ manifest: 'package.json', lockfiles: ['package-lock.json', 'npm-shrinkwrap.json', 'yarn.lock', 'pnpm-lock.yaml', 'bun.lock'], command: 'npm install --package-lock-only --ignore-scripts' }],
  fixer,
};
