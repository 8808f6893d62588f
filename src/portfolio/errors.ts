/**
 * What the portfolio's functions refuse, by kind: the server maps a kind to its HTTP status and
 * problem type (docs/server.md), the CLI to its exit code. Messages are one line and never name a
 * project the caller may not see.
 */
export type PortfolioErrorKind = 'not_found' | 'conflict' | 'invalid' | 'forbidden';

export class PortfolioError extends Error {
  readonly kind: PortfolioErrorKind;
  constructor(kind: PortfolioErrorKind, message: string) {
    super(message);
    this.name = 'PortfolioError';
    this.kind = kind;
  }
}

export function isPortfolioError(e: unknown): e is PortfolioError {
  return e instanceof PortfolioError;
}

/**
 * The title of an upload's error when the server, not the document, failed it (its ingest job
 * failed for good): `vouch push --wait` tells the two apart by it.
 */
export const UPLOAD_JOB_FAILED_TITLE = 'vouch could not process the upload (its ingest job failed)';
