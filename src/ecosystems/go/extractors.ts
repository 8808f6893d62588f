import type { Extractor } from '../types.js';
import { goModExtractor } from './go-mod.js';

/** Go lockfile extractors (more drop in here). */
export const extractors: readonly Extractor[] = [goModExtractor];
