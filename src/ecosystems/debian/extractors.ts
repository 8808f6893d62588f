import type { Extractor } from '../types.js';

/** Debian extractors. */
export const extractors: readonly Extractor[] = [];
