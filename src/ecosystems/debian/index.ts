import type { Ecosystem } from '../types.js';
import { versioning } from './versioning.js';
import { extractors } from './extractors.js';
import { debianFromPurl } from './purl.js';

export const debian: Ecosystem = {
  osvName: 'Debian',
  purlType: 'deb',
  /** Debian (source) package names are lower-case by policy; compared exactly */
  normalizeName: (name) => name.trim(),
  versioning,
  extractors,
  fromPurl: debianFromPurl,
};
