import type { Extractor } from '../types.js';
import { apkInstalledExtractor } from './apk-installed.js';

/** Alpine extractors: apk's installed-package database. */
export const extractors: readonly Extractor[] = [apkInstalledExtractor];
