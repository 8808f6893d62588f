import type { Versioning } from '../types.js';

// PLACEHOLDER: replaced by the real npm version rules.
export const versioning: Versioning = {
  parse: () => undefined,
  compare: () => {
    throw new Error('npm versioning not implemented yet');
  },
};
