import type { Extractor } from '../types.js';

/** crates.io lockfile extractors (more drop in here). */
export const extractors: readonly Extractor[] = [];
