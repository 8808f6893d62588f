import type { Extractor } from '../types.js';
import { requirementsExtractor } from './requirements.js';
import { poetryLockExtractor } from './poetry-lock.js';
import { pipfileLockExtractor } from './pipfile-lock.js';
import { uvLockExtractor } from './uv-lock.js';
import { pdmLockExtractor } from './pdm-lock.js';
import { pylockExtractor } from './pylock.js';
import { installedExtractor } from './installed.js';

/** PyPI extractors: lockfiles, requirements files, installed package metadata. */
export const extractors: readonly Extractor[] = [
  requirementsExtractor,
  poetryLockExtractor,
  pipfileLockExtractor,
  uvLockExtractor,
  pdmLockExtractor,
  pylockExtractor,
  installedExtractor,
];
