import type { Extractor } from '../types.js';
import { goBinaryExtractor } from './go-binary.js';
import { goModExtractor } from './go-mod.js';

/** Go: go.mod, and the module build info embedded in Go executables named on the command line. */
export const extractors: readonly Extractor[] = [goModExtractor, goBinaryExtractor];
