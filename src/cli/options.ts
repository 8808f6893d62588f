/**
 * The option spellings every command shares, so they read the same everywhere: `-f, --format`
 * (with `--json` kept as its alias where a command had it), `-o, --output`, `-q, --quiet`, and
 * `--offline` (no network at all, enforced).
 */
import { type Command, Option } from 'commander';
import { setOffline } from '../io/network.js';
import { VouchError } from '../model/errors.js';

/** `-f, --format <format>` with its choices. */
export function formatOption(choices: readonly string[], help: string): Option {
  return new Option('-f, --format <format>', help).choices([...choices]);
}

/** `--json`, the older spelling of `--format json`. */
export function jsonAlias(cmd: Command): Command {
  return cmd.option('--json', 'the same as --format json');
}

/**
 * The format asked for: `--json`, else `-f`, else the fallback. Human output unless asked: a table
 * on a terminal and a table when piped (as osv-scanner, Grype and Trivy do); JSON only on request.
 */
export function formatOf<F extends string>(opts: { format?: F | undefined; json?: boolean | undefined }, fallback: F): F {
  if (opts.json) return 'json' as F;
  return opts.format ?? fallback;
}

/** `--offline`: every network access of the command fails with one line instead of being made. */
export function offlineOption(cmd: Command, what = 'never touch the network: a step that would download fails with one line instead'): Command {
  return cmd.option('--offline', what).hook('preAction', (_cmd, action) => {
    if (action.opts()['offline']) setOffline(true);
  });
}

/** `--now DATE`: a date to judge history as of (ISO 8601), for reproducible reports. */
export function parseNow(s: string | undefined): Date | undefined {
  if (s === undefined) return undefined;
  const d = new Date(s);
  if (Number.isNaN(d.getTime())) throw new VouchError('USAGE', `--now must be a date such as 2026-01-31 or 2026-01-31T12:00:00Z (got "${s}")`);
  return d;
}

/** A numeric option within [min, max]; a USAGE error naming the flag otherwise. */
export function parseNumber(flag: string, s: string | undefined, min: number, max: number): number | undefined {
  if (s === undefined) return undefined;
  const n = Number(s);
  if (s.trim() === '' || !Number.isFinite(n) || n < min || n > max) throw new VouchError('USAGE', `${flag} must be a number from ${min} to ${max} (got "${s}")`);
  return n;
}
