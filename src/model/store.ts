/** What the advisory store holds: per ecosystem, and the KEV / EPSS feeds. */

export interface EcosystemStatus {
  /** The ecosystem as loaded: a bulk export folder name (`crates.io`, `Debian:12`) or a base ecosystem. */
  ecosystem: string;
  /** Advisories loaded for it (withdrawn ones included). */
  count: number;
  /** The newest `modified` among them, as written in the record; null when there are none. */
  newestModified: string | null;
  /** The URL or absolute path it was loaded from. */
  source: string;
  /** ISO 8601 time of the update that loaded it. */
  loadedAt: string;
}

export type FeedName = 'kev' | 'epss';

/** What a loaded KEV or EPSS feed is. */
export interface FeedStatus {
  feed: FeedName;
  /** The URL or absolute path it was loaded from. */
  source: string;
  /** ISO 8601 time of the update that loaded it. */
  loadedAt: string;
  /** KEV entries / EPSS rows stored. */
  count: number;
  /** KEV: `catalogVersion`; EPSS: `model_version`. */
  version?: string;
  /** KEV: `dateReleased`; EPSS: `score_date` (both as the feed writes them). */
  date?: string;
  /** Entries or rows left out as invalid. */
  skipped: number;
}

/** A feed an update loaded, with the first entries or rows it skipped (one line each). */
export interface LoadedFeed extends FeedStatus {
  warnings: string[];
}
