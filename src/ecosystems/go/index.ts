import type { Ecosystem } from '../types.js';
import { versioning } from './versioning.js';
import { extractors } from './extractors.js';
import { fixer } from './fix.js';

export const golang: Ecosystem = {
  osvName: 'Go',
  purlType: 'golang',
  purlNamespaceSeparator: '/',
  /** module paths are case-sensitive; compared exactly */
  normalizeName: (name) => name.trim(),
  versioning,
  extractors,
  fixer,
};
