import type { Ecosystem } from '../types.js';
import { versioning } from './versioning.js';
import { extractors } from './extractors.js';
import { fixer } from './fix.js';

export const maven: Ecosystem = {
  osvName: 'Maven',
  purlType: 'maven',
  purlNamespaceSeparator: ':',
  /** `group:artifact`, compared exactly (Maven coordinates are case-sensitive) */
  normalizeName: (name) => name.trim(),
  versioning,
  extractors,
  lockfileHints: [
    { manifest: 'build.gradle', lockfiles: ['gradle.lockfile'], command: 'gradle dependencies --write-locks' },
    { manifest: 'build.gradle.kts', lockfiles: ['gradle.lockfile'], command: 'gradle dependencies --write-locks' },
  ],
  fixer,
};
