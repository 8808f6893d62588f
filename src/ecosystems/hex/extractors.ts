import type { Extractor } from '../types.js';

/** Hex extractors. */
export const extractors: readonly Extractor[] = [];
