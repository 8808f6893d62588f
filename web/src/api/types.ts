/**
 * The API's types: the generated OpenAPI types (schema.d.ts, `npm run gen:api`) for every route
 * with a schema, and the scan report of GET /projects/{name}/findings (its OpenAPI schema is an
 * open object: the report is defined in docs/scan-json.md — the part the dashboard reads is here).
 */
import type { components, paths } from './schema';

type S = components['schemas'];
export type Project = S['Project'];
export type ProjectVersion = S['ProjectVersion'];
export type ProjectComponents = S['ProjectComponents'];
export type AffectedItem = S['AffectedItem'];
export type ComponentUse = S['ComponentUse'];
export type Portfolio = S['Portfolio'];
export type Problem = S['Problem'];
export type PortfolioEvent = S['Event'];
export type Session = S['Session'];
export type Trend = S['Trend'];
/** Issue 16: GET /api/v1/marketplace/needs and one engagement of GET /api/v1/marketplace/engagements. */
export type MarketNeeds = paths['/api/v1/marketplace/needs']['get']['responses'][200]['content']['application/json'];
export type MarketEngagement = paths['/api/v1/marketplace/engagements']['get']['responses'][200]['content']['application/json']['items'][number];
export interface Page<T> {
  items: T[];
  next?: string;
}

export type Severity = 'CRITICAL' | 'HIGH' | 'MEDIUM' | 'LOW' | 'NONE' | 'UNKNOWN';

/** One finding of the scan report (docs/scan-json.md, schema 1.3): the fields the dashboard shows. */
export interface Finding {
  id: string;
  ids?: string[];
  aliases?: string[];
  kev?: { cve: string; dateAdded?: string; dueDate?: string; knownRansomwareUse?: boolean; vulnerabilityName?: string; requiredAction?: string };
  epss?: { cve: string; score: number; percentile?: number; date?: string };
  priority?: { rank: number; reason: string };
  suppressed?: { by: string; status?: string; justification?: string; source?: string };
  summary?: string;
  details?: string;
  purl: string;
  ecosystem?: string;
  name: string;
  version: string;
  scope?: string;
  direct?: boolean;
  severity?: { rating: Severity; score?: number; vector?: string; source?: string };
  fixed?: string[];
  fixedVersions?: string[];
  paths?: string[][];
  pathsTotal?: number;
  references?: { type?: string; url: string }[];
}

export interface ScanReport {
  schemaVersion: string;
  createdAt?: string;
  summary: { components: number; findings: number; suppressed?: number; kev?: number; bySeverity: Partial<Record<Severity, number>> };
  findings: Finding[];
}
