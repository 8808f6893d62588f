import type { Extractor } from '../types.js';
import { csprojExtractor } from './csproj.js';
import { directoryPackagesPropsExtractor } from './directory-packages-props.js';
import { packagesLockExtractor } from './packages-lock.js';

/** NuGet lockfile and manifest extractors (more drop in here). */
export const extractors: readonly Extractor[] = [packagesLockExtractor, csprojExtractor, directoryPackagesPropsExtractor];
