import type { Versioning } from '../types.js';

// PLACEHOLDER: replaced by the real PyPI version rules.
export const versioning: Versioning = {
  parse: () => undefined,
  compare: () => {
    throw new Error('PyPI versioning not implemented yet');
  },
};
