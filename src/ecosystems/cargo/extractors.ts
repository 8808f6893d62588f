import type { Extractor } from '../types.js';
import { cargoLockExtractor } from './cargo-lock.js';

/** crates.io lockfile extractors (more drop in here). */
export const extractors: readonly Extractor[] = [cargoLockExtractor];
