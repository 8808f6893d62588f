/**
 * `--offline`, enforced: every place vouch would open a connection (an OSV or feed download, the
 * npm registry, a package manager's relock) asks here first, and refuses with one line when the
 * command runs offline. Nothing is attempted, so an air-gapped run fails fast instead of timing out.
 */
import { VouchError } from '../model/errors.js';

let offline = false;

export function setOffline(value: boolean): void {
  offline = value;
}

export function isOffline(): boolean {
  return offline;
}

/** Throws NETWORK when offline: `what` says what needed the network, `url` where it would have gone. */
export function assertOnline(what: string, url?: string): void {
  if (offline) throw new VouchError('NETWORK', `--offline: ${what} needs the network${url ? ` (${url})` : ''}; nothing was downloaded`);
}
