/** The JSON output: the scan report as documented in docs/scan-json.md. */
import type { ScanReport } from '../model/report.js';

export function renderJson(report: ScanReport): string {
  return JSON.stringify(report, null, 2) + '\n';
}
