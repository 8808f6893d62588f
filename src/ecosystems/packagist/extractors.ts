import type { Extractor } from '../types.js';
import { composerLockExtractor } from './composer-lock.js';

/** Packagist lockfile extractors (more drop in here). */
export const extractors: readonly Extractor[] = [composerLockExtractor];
