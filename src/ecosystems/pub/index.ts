import type { Ecosystem } from '../types.js';
import { versioning } from './versioning.js';
import { extractors } from './extractors.js';

export const pub: Ecosystem = {
  osvName: 'Pub',
  purlType: 'pub',
  /** Pub package names are lower-case identifiers; compared exactly */
  normalizeName: (name) => name.trim(),
  versioning,
  extractors,
  lockfileHints: [{ manifest: 'pubspec.yaml', lockfiles: ['pubspec.lock'], command: 'dart pub get' }],
};
