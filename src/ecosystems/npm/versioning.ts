/**
 * npm versions: SemVer 2.0.0, ordered as osv-scalibr orders OSV's npm ecosystem (the same order
 * node-semver gives every version it accepts; see ../shared/semver.ts for what else is accepted).
 * Non-registry specs (`file:`, git URLs, `npm:` aliases) are not versions: the extractors resolve them.
 */
import { semverVersioning } from '../shared/semver.js';
import type { Versioning } from '../types.js';

export const versioning: Versioning = semverVersioning;
