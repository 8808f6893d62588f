/** A ReportFinding for tests: Log4Shell in log4j-core 2.14.1, as a scan reports it; `over` replaces fields. */
import type { ReportFinding } from '../model/triage.js';

export function log4shellFinding(over: Partial<ReportFinding> = {}): ReportFinding {
  return {
    id: 'GHSA-jfh8-c2jp-5v3q',
    aliases: ['CVE-2021-44228'],
    modified: '2024-01-01T00:00:00Z',
    purl: 'pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1',
    ecosystem: 'Maven',
    name: 'org.apache.logging.log4j:log4j-core',
    version: '2.14.1',
    scope: 'prod',
    direct: true,
    severity: { rating: 'CRITICAL', score: 10 },
    fixed: ['2.15.0'],
    fixedVersions: ['2.15.0'],
    match: [],
    paths: [],
    locations: [],
    references: [],
    ...over,
  };
}
