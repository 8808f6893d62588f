import type { Ecosystem } from '../types.js';
import { versioning } from './versioning.js';
import { extractors } from './extractors.js';

export const hex: Ecosystem = {
  osvName: 'Hex',
  purlType: 'hex',
  /** Hex package names are lower-case; compared exactly */
  normalizeName: (name) => name.trim(),
  versioning,
  extractors,
  lockfileHints: [{ manifest: 'mix.exs', lockfiles: ['mix.lock'], command: 'mix deps.get' }],
};
