import type { Versioning } from '../types.js';

// PLACEHOLDER: replaced by the real NuGet version rules.
export const versioning: Versioning = {
  parse: () => undefined,
  compare: () => {
    throw new Error('NuGet versioning not implemented yet');
  },
};
