import type { Versioning } from '../types.js';

// PLACEHOLDER: replaced by the real RubyGems version rules.
export const versioning: Versioning = {
  parse: () => undefined,
  compare: () => {
    throw new Error('RubyGems versioning not implemented yet');
  },
};
