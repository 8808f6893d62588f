/**
 * The report formats: each maps to one Renderer, loaded on first use (a scan printing a table never
 * loads the HTML page's code). A new format is one file in this folder and one line below; the CLI's
 * `--format` choices, `-o FILE` inference and the server's `?format=` all read this table.
 */
import type { ScanReport } from '../model/report.js';
import type { RenderContext, Renderer } from './render.js';

export type { RenderContext, Renderer } from './render.js';

export const REPORT_FORMATS = ['table', 'json', 'sarif', 'markdown', 'cyclonedx', 'html'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

const RENDERERS: Record<ReportFormat, () => Promise<Renderer>> = {
  table: async () => (await import('./table.js')).renderTable,
  json: async () => (await import('./json.js')).renderJson,
  sarif: async () => (await import('./sarif.js')).renderSarif,
  markdown: async () => (await import('./markdown.js')).renderMarkdown,
  cyclonedx: async () => (await import('./cyclonedx-vdr.js')).renderVdr,
  html: async () => (await import('./html.js')).renderHtml,
};

/** One line per format, for --help. */
export const REPORT_FORMAT_HELP: Record<ReportFormat, string> = {
  table: 'one row per finding in priority order (the default)',
  json: 'the scan report (docs/scan-json.md)',
  sarif: 'SARIF 2.1.0 for code-scanning annotations',
  markdown: 'a pull-request comment',
  cyclonedx: 'CycloneDX 1.6 with vulnerabilities (a VDR)',
  html: 'one self-contained page',
};

export async function renderReport(format: ReportFormat, report: ScanReport, ctx: RenderContext = {}): Promise<string> {
  return (await RENDERERS[format]())(report, ctx);
}

/**
 * The format an output file name asks for when no format is given (`-o vouch.sarif`), or undefined
 * for a name that says nothing. `.cdx.json` (and `.vdr.json`) is the CycloneDX VDR; `.spdx.json`
 * is an SBOM, not a report; any other `.json` the JSON report.
 */
export function reportFormatFromFileName(file: string): ReportFormat | undefined {
  const b = file.toLowerCase();
  if (b.endsWith('.sarif') || b.endsWith('.sarif.json')) return 'sarif';
  if (b.endsWith('.cdx.json') || b.endsWith('.vdr.json')) return 'cyclonedx';
  if (b.endsWith('.spdx.json')) return undefined;
  if (b.endsWith('.json')) return 'json';
  if (b.endsWith('.html') || b.endsWith('.htm')) return 'html';
  if (b.endsWith('.md') || b.endsWith('.markdown')) return 'markdown';
  return undefined;
}
