/**
 * The one error class of vouch. Everything below the CLI throws a VouchError (or returns data);
 * the CLI maps `code` to an exit code and prints `oneLine()`.
 */
import { safeLine, shown } from './text.js';

/** A file or JSON path is shown whole up to this length (paths inside archives and node_modules can be long), then cut. */
const MAX_PATH_SHOWN = 1000;

export type VouchErrorCode =
  | 'USAGE'
  | 'INPUT_PARSE'
  | 'INPUT_UNSUPPORTED'
  | 'INPUT_MISSING'
  | 'INPUT_TOO_LARGE'
  | 'INPUT_UNSAFE'
  | 'STORE_MISSING'
  | 'STORE_CORRUPT'
  /** another `vouch db update` holds the store's lock */
  | 'STORE_BUSY'
  /** VOUCH_HOME is read-only, full or not a folder: the store cannot be written */
  | 'STORE_UNWRITABLE'
  | 'NETWORK'
  | 'SIGNATURE_INVALID';

export interface ErrorPosition {
  /** 1-based line, when known. */
  line?: number;
  /** JSON path such as `$.packages["node_modules/a"].version`, when known. */
  jsonPath?: string;
}

export class VouchError extends Error {
  readonly code: VouchErrorCode;
  readonly path: string | undefined;
  readonly position: ErrorPosition | undefined;

  constructor(
    code: VouchErrorCode,
    message: string,
    opts: { path?: string; position?: ErrorPosition; cause?: unknown } = {},
  ) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'VouchError';
    this.code = code;
    this.path = opts.path;
    this.position = opts.position;
  }

  /** `file:line: message` or `file ($.json.path): message`, for the CLI's single error line. */
  oneLine(): string {
    // the path, JSON path and message may echo the input: controls escaped, long values cut (model/text.ts)
    let where = this.path === undefined ? '' : shown(this.path, MAX_PATH_SHOWN);
    if (this.position?.line !== undefined) where += `:${this.position.line}`;
    if (this.position?.jsonPath !== undefined) where += ` (${shown(this.position.jsonPath, MAX_PATH_SHOWN)})`;
    const msg = safeLine(this.message.replace(/\s*\n\s*/g, ' '));
    return where ? `${where}: ${msg}` : msg;
  }
}

export function isVouchError(e: unknown): e is VouchError {
  return e instanceof VouchError;
}

/** Exit codes (ARCHITECTURE.md): 0 clean, 1 findings/policy failed, 2 usage or input error; 70 a bug (sysexits EX_SOFTWARE). */
export const EXIT_CLEAN = 0;
export const EXIT_FINDINGS = 1;
export const EXIT_INPUT = 2;
export const EXIT_INTERNAL = 70;
