import type { Ecosystem } from '../types.js';
import { versioning } from './versioning.js';
import { extractors } from './extractors.js';
import { alpineFromPurl } from './purl.js';

export const alpine: Ecosystem = {
  osvName: 'Alpine',
  purlType: 'apk',
  /** Alpine (origin) package names; compared exactly */
  normalizeName: (name) => name.trim(),
  versioning,
  extractors,
  fromPurl: alpineFromPurl,
};
