import type { Ecosystem } from '../types.js';
import { versioning } from './versioning.js';
import { extractors } from './extractors.js';
import { fixer } from './fix.js';

export const cargo: Ecosystem = {
  osvName: 'crates.io',
  purlType: 'cargo',
  /** crates.io treats names case-insensitively and '-' equal to '_' */
  normalizeName: (name) => name.trim().toLowerCase().replace(/_/g, '-'),
  versioning,
  extractors,
  lockfileHints: [{ manifest: 'Cargo.toml', lockfiles: ['Cargo.lock'], command: 'cargo generate-lockfile' }],
  fixer,
};
