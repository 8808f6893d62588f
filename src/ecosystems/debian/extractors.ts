import type { Extractor } from '../types.js';
import { dpkgStatusExtractor } from './dpkg-status.js';

/** Debian extractors: dpkg's installed-package database (also read for Ubuntu and other derivatives). */
export const extractors: readonly Extractor[] = [dpkgStatusExtractor];
