import type { Versioning } from '../types.js';

// PLACEHOLDER: replaced by the real Packagist version rules.
export const versioning: Versioning = {
  parse: () => undefined,
  compare: () => {
    throw new Error('Packagist versioning not implemented yet');
  },
};
