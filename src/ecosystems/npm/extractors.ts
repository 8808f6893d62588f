import type { Extractor } from '../types.js';
import { bunLockExtractor } from './bun-lock.js';
import { installedExtractor } from './installed.js';
import { packageLockExtractor } from './package-lock.js';
import { pnpmLockExtractor } from './pnpm-lock.js';
import { yarnLockExtractor } from './yarn-lock.js';

/** npm lockfile extractors, and the installed tree's hidden lockfile (more drop in here). */
export const extractors: readonly Extractor[] = [packageLockExtractor, yarnLockExtractor, pnpmLockExtractor, bunLockExtractor, installedExtractor];
