/**
 * Hex version order: Hex packages use SemVer 2.0.0 (Elixir's `Version`), and OSV's Hex ranges
 * are ordered as SemVer (osv-scalibr maps Hex to its semver rules; its `semver-versions.txt`
 * vectors are this file's conformance suite). So this is the shared SemVer order, unchanged.
 */
import { semverVersioning } from '../shared/semver.js';
import type { Versioning } from '../types.js';

export const versioning: Versioning = semverVersioning;
