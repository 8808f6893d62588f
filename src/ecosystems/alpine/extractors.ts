import type { Extractor } from '../types.js';

/** Alpine extractors. */
export const extractors: readonly Extractor[] = [];
