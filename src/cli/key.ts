/**
 * `vouch key generate`: a signing key pair (Ed25519 or ECDSA P-256) as PEM files, the private
 * one optionally encrypted. Also reading a passphrase and loading the `--key` of a signing command
 * (the options themselves are in key-options.ts, which commands load without this module).
 */
import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';
import { type Command, Option } from 'commander';
import { displayKeyId, generateKeyPair, KEY_TYPES, type KeyType, type LoadedKey, loadKey, writeKeyPair } from '../attest/keys.js';
import { EXIT_CLEAN, VouchError } from '../model/errors.js';
import { addPassphraseOptions, type PassphraseOptions } from './key-options.js';

export { addPassphraseOptions, type PassphraseOptions };

/** Reads a line from the terminal without echoing it. */
async function prompt(question: string): Promise<string> {
  if (!process.stdin.isTTY || !process.stderr.isTTY) {
    throw new VouchError('USAGE', '--passphrase asks on a terminal and there is none: use --passphrase-env VAR');
  }
  const muted = new Writable({ write: (_chunk, _enc, cb) => cb() });
  process.stderr.write(question);
  const rl = createInterface({ input: process.stdin, output: muted, terminal: true });
  try {
    return await new Promise<string>((resolve) => rl.question('', resolve));
  } finally {
    rl.close();
    process.stderr.write('\n');
  }
}

/** The passphrase the options ask for, or undefined (no encryption / not encrypted). */
export async function passphraseFrom(opts: PassphraseOptions, confirm = false): Promise<string | undefined> {
  if (opts.passphraseEnv !== undefined && opts.passphrase) throw new VouchError('USAGE', '--passphrase-env and --passphrase exclude each other');
  if (opts.passphraseEnv !== undefined) {
    const v = process.env[opts.passphraseEnv];
    if (v === undefined || v === '') throw new VouchError('USAGE', `--passphrase-env: environment variable ${opts.passphraseEnv} is not set or empty`);
    return v;
  }
  if (!opts.passphrase) return undefined;
  const p = await prompt('Passphrase: ');
  if (p === '') throw new VouchError('USAGE', 'empty passphrase');
  if (confirm && (await prompt('Passphrase again: ')) !== p) throw new VouchError('USAGE', 'the passphrases differ');
  return p;
}

/**
 * Loads `--key FILE` for signing or verifying: a passphrase is asked for (per the options) only
 * when the file holds an encrypted private key.
 */
export async function loadKeyFromOptions(file: string, opts: PassphraseOptions): Promise<LoadedKey> {
  try {
    return await loadKey(file);
  } catch (e) {
    if (e instanceof VouchError && e.code === 'USAGE' && /encrypted/.test(e.message) && (opts.passphraseEnv !== undefined || opts.passphrase)) {
      return loadKey(file, await passphraseFrom(opts));
    }
    throw e;
  }
}

interface GenerateOptions extends PassphraseOptions {
  type: KeyType;
  output?: string;
  out?: string;
  force?: boolean;
}

export function registerKey(program: Command): void {
  const key = program.command('key').description('manage signing keys (see `vouch key generate`)');
  addPassphraseOptions(
    key
      .command('generate')
      .description('write a signing key pair: PREFIX.key (PKCS#8 PEM, mode 0600) and PREFIX.pub (SPKI PEM)')
      .addOption(new Option('-t, --type <type>', 'key type').choices([...KEY_TYPES]).default('p256'))
      .option('-o, --output <prefix>', 'write PREFIX.key and PREFIX.pub (required)')
      .addOption(new Option('--out <prefix>', 'the older spelling of --output').hideHelp())
      .option('--force', 'overwrite existing files'),
    'the new private key (encrypts it: PKCS#8 with AES-256-CBC)',
  )
    .addHelpText(
      'after',
      `
p256 (ECDSA P-256, the default) signs attestations and blobs; ed25519 signs attestations
(vouch attest) but not blob signatures (vouch sign), which Sigstore verifies with SHA-256.
The key id printed (and written into bundles as the key hint) is SHA256 of the public key's DER.
Exit codes: 0 written, 2 usage or input error (e.g. the files exist and --force was not given).`,
    )
    .action(async (opts: GenerateOptions) => {
      const prefix = opts.output ?? opts.out;
      if (prefix === undefined) throw new VouchError('USAGE', "key generate needs -o, --output PREFIX (where PREFIX.key and PREFIX.pub go)");
      const passphrase = await passphraseFrom(opts, true);
      const pair = generateKeyPair(opts.type, passphrase);
      const { keyPath, pubPath } = await writeKeyPair(prefix, pair, { force: opts.force ?? false });
      process.stdout.write(`${keyPath}${passphrase !== undefined ? ' (encrypted)' : ''}\n${pubPath}\n${displayKeyId(pair.keyId)}\n`);
      process.exitCode = EXIT_CLEAN;
    });
}
