import type { Extractor } from '../types.js';

/** Pub extractors. */
export const extractors: readonly Extractor[] = [];
