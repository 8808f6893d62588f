import type { Versioning } from '../types.js';

// PLACEHOLDER: replaced by the real crates.io version rules.
export const versioning: Versioning = {
  parse: () => undefined,
  compare: () => {
    throw new Error('crates.io versioning not implemented yet');
  },
};
