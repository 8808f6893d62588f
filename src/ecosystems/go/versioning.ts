/**
 * Go module versions: SemVer 2.0.0 with the `v` prefix Go requires (accepted, not required, so
 * OSV ranges written without it compare too). Pseudo-versions order by their prerelease
 * (`v0.0.0-20191109021931-daa7c04131f5` < `v0.0.1`, `v1.2.4-0.2019…` between v1.2.3 and v1.2.4),
 * and `+incompatible` is build metadata, so `v2.0.0+incompatible` = `v2.0.0`, as in Go's own
 * golang.org/x/mod/semver. See ../shared/semver.ts.
 */
import { semverVersioning } from '../shared/semver.js';
import type { Versioning } from '../types.js';

export const versioning: Versioning = semverVersioning;
