import type { Ecosystem } from '../types.js';
import { versioning } from './versioning.js';
import { extractors } from './extractors.js';

export const npm: Ecosystem = {
  osvName: 'npm',
  purlType: 'npm',
  purlNamespaceSeparator: '/',
  /** identity: npm names are case-sensitive (legacy mixed-case packages exist) and OSV compares them exactly */
  normalizeName: (name) => name.trim(),
  versioning,
  extractors,
};
