import type { Ecosystem } from '../types.js';
import { versioning } from './versioning.js';
import { extractors } from './extractors.js';
import { fixer } from './fix.js';

export const rubygems: Ecosystem = {
  osvName: 'RubyGems',
  purlType: 'gem',
  /** gem names are case-sensitive; compared exactly */
  normalizeName: (name) => name.trim(),
  versioning,
  extractors,
  lockfileHints: [{ manifest: 'Gemfile', lockfiles: ['Gemfile.lock'], command: 'bundle lock' }],
  fixer,
};
