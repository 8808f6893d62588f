import type { Versioning } from '../types.js';

// PLACEHOLDER: replaced by the real Go version rules.
export const versioning: Versioning = {
  parse: () => undefined,
  compare: () => {
    throw new Error('Go versioning not implemented yet');
  },
};
