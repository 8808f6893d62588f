import type { Extractor } from '../types.js';
import { mixLockExtractor } from './mix-lock.js';

/** Hex extractors. */
export const extractors: readonly Extractor[] = [mixLockExtractor];
