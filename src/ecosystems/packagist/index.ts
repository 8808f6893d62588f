import type { Ecosystem } from '../types.js';
import { versioning } from './versioning.js';
import { extractors } from './extractors.js';
import { fixer } from './fix.js';

export const packagist: Ecosystem = {
  osvName: 'Packagist',
  purlType: 'composer',
  purlNamespaceSeparator: '/',
  /** Composer names are case-insensitive: lower-case */
  normalizeName: (name) => name.trim().toLowerCase(),
  versioning,
  extractors,
  lockfileHints: [{ manifest: 'composer.json', lockfiles: ['composer.lock'], command: 'composer update --no-install' }],
  fixer,
};
