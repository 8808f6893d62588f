import type { Extractor } from '../types.js';

/** PyPI lockfile extractors (more drop in here). */
export const extractors: readonly Extractor[] = [];
