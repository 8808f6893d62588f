/** The one signature every report format renders with (the registry is report/index.ts). */
import type { DependencyGraph } from '../model/graph.js';
import type { ScanReport } from '../model/report.js';

/** What a renderer may use besides the report. Each renderer reads what it needs and ignores the rest. */
export interface RenderContext {
  /** The inventory the report was built from: the CycloneDX VDR lists every component and edge of it. */
  graph?: DependencyGraph;
  /** table: the priority reason under each row, and the lists a plain table only counts. */
  verbose?: boolean;
  /** table: ANSI colours (the CLI decides: a terminal, NO_COLOR / FORCE_COLOR). */
  color?: boolean;
}

export type Renderer = (report: ScanReport, ctx: RenderContext) => string;
