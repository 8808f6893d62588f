/** Every extractor vouch runs by default: the ecosystems' lockfile readers, then the SBOM readers. */
import { allEcosystemExtractors } from '../ecosystems/index.js';
import type { Extractor } from '../ecosystems/types.js';
import { cyclonedxExtractor } from '../sbom/cyclonedx-read.js';
import { spdxExtractor } from '../sbom/spdx-read.js';

export function defaultExtractors(): Extractor[] {
  return [...allEcosystemExtractors(), cyclonedxExtractor, spdxExtractor].filter((e) => !e.needs.network && !e.needs.runsCode);
}
