/** crates.io versions: SemVer 2.0.0, as Cargo and osv-scalibr order them. See ../shared/semver.ts. */
import { semverVersioning } from '../shared/semver.js';
import type { Versioning } from '../types.js';

export const versioning: Versioning = semverVersioning;
