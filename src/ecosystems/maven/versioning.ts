import type { Versioning } from '../types.js';

// PLACEHOLDER: replaced by the real Maven version rules.
export const versioning: Versioning = {
  parse: () => undefined,
  compare: () => {
    throw new Error('Maven versioning not implemented yet');
  },
};
