import type { Extractor } from '../types.js';
import { pubspecLockExtractor } from './pubspec-lock.js';

/** Pub extractors. */
export const extractors: readonly Extractor[] = [pubspecLockExtractor];
