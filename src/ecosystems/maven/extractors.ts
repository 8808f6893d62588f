import type { Extractor } from '../types.js';
import { gradleLockfileExtractor } from './gradle-lockfile.js';
import { jarExtractor } from './jar.js';
import { pomExtractor } from './pom.js';
import { verificationMetadataExtractor } from './verification-metadata.js';

/** Maven extractors (more drop in here). */
export const extractors: readonly Extractor[] = [pomExtractor, gradleLockfileExtractor, verificationMetadataExtractor, jarExtractor];
