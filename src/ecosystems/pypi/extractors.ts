import type { Extractor } from '../types.js';
import { requirementsExtractor } from './requirements.js';

/** PyPI lockfile extractors (more drop in here). */
export const extractors: readonly Extractor[] = [requirementsExtractor];
