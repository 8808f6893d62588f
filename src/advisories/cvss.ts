/**
 * CVSS base scores of the vectors advisories carry (v2, v3.x, v4.0), with ae-cvss-calculator.
 * `vouch db update` scores every distinct vector of the store once and keeps the scores in its
 * `cvss` table, so a scan looks them up instead of loading the calculator (~25 ms of start-up).
 */
import { createRequire } from 'node:module';
import type Database from 'better-sqlite3';
import type * as CvssCalculator from 'ae-cvss-calculator';

// Loaded when the first vector is scored.
let calculator: typeof CvssCalculator | undefined;
function cvssLib(): typeof CvssCalculator {
  return (calculator ??= createRequire(import.meta.url)('ae-cvss-calculator') as typeof CvssCalculator);
}

/** The base score of a CVSS vector; undefined when it does not parse or score. */
export function cvssBaseScore(vector: string): number | undefined {
  try {
    const v = cvssLib().fromVector(vector);
    if (!v) return undefined;
    const score = v.calculateScores().base;
    return typeof score === 'number' && !Number.isNaN(score) ? score : undefined;
  } catch {
    return undefined;
  }
}

/** A base score known in advance: a number, null (the vector does not score), undefined (not known: score it). */
export type KnownScore = (vector: string) => number | null | undefined;

export const CVSS_SQL = 'CREATE TABLE IF NOT EXISTS cvss (vector TEXT PRIMARY KEY, score REAL) WITHOUT ROWID;';

/**
 * Scores every distinct `severity[].score` of the store's advisories (top-level and per package)
 * into the `cvss` table, replacing what it held. Returns the number of vectors.
 */
export function scoreStoreVectors(db: Database.Database): number {
  db.exec(CVSS_SQL);
  const vectors = db
    .prepare(
      `SELECT DISTINCT t.value FROM advisories a, json_tree(a.json) t
       WHERE t.key = 'score' AND t.type = 'text' AND t.path GLOB '*severity[[][0-9]*[]]'`,
    )
    .pluck()
    .all() as string[];
  const ins = db.prepare('INSERT INTO cvss (vector, score) VALUES (?, ?)');
  db.transaction(() => {
    db.exec('DELETE FROM cvss');
    for (const v of vectors) ins.run(v, cvssBaseScore(v) ?? null);
  })();
  return vectors.length;
}
