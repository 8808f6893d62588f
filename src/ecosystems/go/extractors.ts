import type { Extractor } from '../types.js';

/** Go lockfile extractors (more drop in here). */
export const extractors: readonly Extractor[] = [];
