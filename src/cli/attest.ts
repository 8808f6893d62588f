/**
 * `vouch attest`: an in-toto Statement v1 over the subject files with the predicate, signed as
 * DSSE into a Sigstore bundle v0.3 (public-key verification material, no transparency log).
 */
import type { Command } from 'commander';
import { attest } from '../attest/attest.js';
import { displayKeyId } from '../attest/keys.js';
import { ATTEST_TYPES, predicateTypeFor, readPredicate } from '../attest/statement.js';
import { writeFileAtomic } from '../io/atomic-write.js';
import { EXIT_CLEAN } from '../model/errors.js';
import { addPassphraseOptions, loadKeyFromOptions, type PassphraseOptions } from './key.js';
import { repeatable } from './repeatable.js';

interface AttestCliOptions extends PassphraseOptions {
  predicate: string;
  type: string;
  subject: string[];
  key: string;
  output?: string;
  quiet?: boolean;
}

export function registerAttest(program: Command): void {
  addPassphraseOptions(
    program
      .command('attest')
      .description('sign a predicate (SBOM, scan report, VEX, SLSA provenance ...) about files as an in-toto attestation in a Sigstore bundle')
      .requiredOption('--predicate <file>', 'the predicate: a JSON document')
      .requiredOption('--type <type>', `${ATTEST_TYPES.join(', ')}, or a predicate type URI`)
      .requiredOption('--subject <file>', 'a file the attestation is about (repeatable): its name and sha256 go into the statement', repeatable)
      .requiredOption('--key <file>', 'the private key (.key) to sign with')
      .option('-o, --output <file>', 'write the bundle to FILE (atomically) instead of stdout')
      .option('-q, --quiet', 'no note on stderr'),
  )
    .addHelpText(
      'after',
      `
Types: sbom       → https://cyclonedx.org/bom or https://spdx.dev/Document (from the predicate)
       vuln       → https://in-toto.io/attestation/vulns/v0.2
       vex        → https://openvex.dev/ns/v0.2.0
       slsa-provenance → https://slsa.dev/provenance/v1 (see vouch provenance)
       any other URI is used as the predicate type as given.
The bundle (application/vnd.dev.sigstore.bundle.v0.3+json) holds a DSSE envelope
(application/vnd.in-toto+json) and the key id as hint; verify it with
  vouch verify SUBJECT... --bundle BUNDLE --key KEY.pub
Exit codes: 0 written, 2 usage or input error.`,
    )
    .action(async (opts: AttestCliOptions) => {
      const predicate = await readPredicate(opts.predicate);
      const predicateType = predicateTypeFor(opts.type, predicate, opts.predicate);
      const key = await loadKeyFromOptions(opts.key, opts);
      const { bundle, statement } = await attest({ predicate, predicateType, subjects: opts.subject, key });
      const text = `${JSON.stringify(bundle, null, 2)}\n`;
      if (opts.output) {
        await writeFileAtomic(opts.output, text);
        if (!opts.quiet) {
          process.stderr.write(`vouch: wrote ${opts.output}: ${predicateType} about ${statement.subject.length} subject(s), signed by ${displayKeyId(key.keyId)}\n`);
        }
      } else {
        process.stdout.write(text);
      }
      process.exitCode = EXIT_CLEAN;
    });
}
