import type { Extractor } from '../types.js';

/** Packagist lockfile extractors (more drop in here). */
export const extractors: readonly Extractor[] = [];
