import type { Extractor } from '../types.js';
import { bunLockExtractor } from './bun-lock.js';
import { packageLockExtractor } from './package-lock.js';
import { pnpmLockExtractor } from './pnpm-lock.js';
import { yarnLockExtractor } from './yarn-lock.js';

/** npm lockfile extractors (more drop in here). */
export const extractors: readonly Extractor[] = [packageLockExtractor, yarnLockExtractor, pnpmLockExtractor, bunLockExtractor];
