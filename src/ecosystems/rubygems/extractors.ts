import type { Extractor } from '../types.js';

/** RubyGems lockfile extractors (more drop in here). */
export const extractors: readonly Extractor[] = [];
