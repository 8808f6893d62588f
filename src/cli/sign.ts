/** `vouch sign FILE`: a Sigstore message-signature bundle (v0.3) over the file, with a local key. */
import type { Command } from 'commander';
import { signBlob } from '../attest/attest.js';
import { displayKeyId } from '../attest/keys.js';
import { writeFileAtomic } from '../io/atomic-write.js';
import { EXIT_CLEAN, VouchError } from '../model/errors.js';
import { addPassphraseOptions, loadKeyFromOptions, type PassphraseOptions } from './key.js';
import { MAX_INPUT_BYTES, readRegularFile } from '../io/input.js';

interface SignOptions extends PassphraseOptions {
  key: string;
  output?: string;
  quiet?: boolean;
}

export function registerSign(program: Command): void {
  addPassphraseOptions(
    program
      .command('sign')
      .description('sign a file: a Sigstore bundle holding its sha256 and the signature')
      .argument('<file>', 'the file to sign')
      .requiredOption('--key <file>', 'the private key (.key) to sign with (ECDSA P-256)')
      .option('-o, --output <file>', 'write the bundle to FILE (atomically) instead of stdout')
      .option('-q, --quiet', 'no note on stderr'),
  )
    .addHelpText(
      'after',
      `
Verify with: vouch verify FILE --bundle BUNDLE --key KEY.pub
Blob signatures need a P-256 key (vouch key generate --type p256, the default).
Exit codes: 0 written, 2 usage or input error.`,
    )
    .action(async (file: string, opts: SignOptions) => {
      let data: Buffer;
      try {
        data = await readRegularFile(file, { maxBytes: MAX_INPUT_BYTES });
      } catch (e) {
        if (e instanceof VouchError) throw e;
        throw new VouchError('INPUT_MISSING', `cannot read the file to sign (${(e as NodeJS.ErrnoException).code ?? String(e)})`, { path: file, cause: e });
      }
      const key = await loadKeyFromOptions(opts.key, opts);
      const bundle = await signBlob(data, key);
      const text = `${JSON.stringify(bundle, null, 2)}\n`;
      if (opts.output) {
        await writeFileAtomic(opts.output, text);
        if (!opts.quiet) process.stderr.write(`vouch: wrote ${opts.output}: signature of ${file} by ${displayKeyId(key.keyId)}\n`);
      } else {
        process.stdout.write(text);
      }
      process.exitCode = EXIT_CLEAN;
    });
}
