/**
 * The passphrase options every command that reads or writes a private key shares. Apart from
 * key.ts so that `vouch scan` and `vouch sbom` declare them without loading the signing code,
 * which they import only when `--attest` is given.
 */
import type { Command } from 'commander';

export interface PassphraseOptions {
  passphraseEnv?: string;
  passphrase?: boolean;
}

/** `--passphrase-env VAR` and `--passphrase` (prompt on a terminal), for commands that read or write a private key. */
export function addPassphraseOptions(cmd: Command, what = 'the private key'): Command {
  return cmd
    .option('--passphrase-env <var>', `read the passphrase of ${what} from environment variable VAR`)
    .option('--passphrase', `ask for the passphrase of ${what} on the terminal`);
}

