import type { Extractor } from '../types.js';

/** NuGet lockfile extractors (more drop in here). */
export const extractors: readonly Extractor[] = [];
