import type { Extractor } from '../types.js';

/** Maven lockfile extractors (more drop in here). */
export const extractors: readonly Extractor[] = [];
