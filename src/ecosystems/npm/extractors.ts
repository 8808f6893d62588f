import type { Extractor } from '../types.js';

/** npm lockfile extractors (more drop in here). */
export const extractors: readonly Extractor[] = [];
