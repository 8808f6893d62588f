import type { Extractor } from '../types.js';
import { gemfileLockExtractor } from './gemfile-lock.js';

/** RubyGems lockfile extractors (more drop in here). */
export const extractors: readonly Extractor[] = [gemfileLockExtractor];
