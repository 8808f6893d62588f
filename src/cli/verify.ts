/**
 * `vouch verify SUBJECT... --bundle BUNDLE`: checks a Sigstore bundle (DSSE attestation or blob
 * signature) with a public key or keyless against a trusted root, then each subject. One verdict
 * per subject on stdout; exit 0 all verified, 1 any failure, 2 usage or input error.
 */
import type { Command } from 'commander';
import { readPredicate } from '../attest/statement.js';
import { loadTrustedRoot } from '../attest/trusted-root.js';
import { parseBundleText, type VerifyResult, verifyBundle } from '../attest/verify.js';
import { EXIT_CLEAN, EXIT_FINDINGS, VouchError } from '../model/errors.js';
import { addPassphraseOptions, loadKeyFromOptions, type PassphraseOptions } from './key.js';
import { formatOf, formatOption } from './options.js';
import { readRegularFile } from '../io/input.js';
import { safeText } from '../model/text.js';

interface VerifyCliOptions extends PassphraseOptions {
  bundle: string;
  key?: string;
  trustedRoot?: string;
  certificateIdentity?: string;
  certificateIdentityRegexp?: string;
  certificateOidcIssuer?: string;
  predicate?: string;
  format?: 'table' | 'json';
  json?: boolean;
}

export function registerVerify(program: Command): void {
  addPassphraseOptions(
    program
      .command('verify')
      .description('verify a Sigstore bundle (attestation or blob signature) and the files it is about')
      .argument('<subject...>', 'the files the bundle signs or attests (or sha256:<hex> / sha512:<hex> for an attestation subject)')
      .requiredOption('--bundle <file>', 'the Sigstore bundle (.sigstore.json)')
      .option('--key <file>', 'verify with this public key (.pub; a .key works too) instead of a certificate identity')
      .option('--trusted-root <file>', 'a Sigstore TrustedRoot JSON (default: the public-good root shipped with vouch, read offline)')
      .option('--certificate-identity <id>', 'keyless: the signer identity the certificate must name (e.g. a workflow URI or an e-mail)')
      .option('--certificate-identity-regexp <re>', 'keyless: a regular expression the certificate identity must match')
      .option('--certificate-oidc-issuer <issuer>', 'keyless: the OIDC issuer the certificate must name (required with an identity)')
      .option('--predicate <file>', 'attestations: also check that the signed predicate is this JSON file (e.g. the SBOM beside the bundle)')
      .addOption(formatOption(['table', 'json'], 'output format: table (default: one line per subject) or json (one object with the verdicts)'))
      .option('--json', 'the same as --format json'),
    'a private key given as --key',
  )
    .addHelpText(
      'after',
      `
Output: one line per subject, "OK  FILE  (key SHA256:..., predicate URI)" or "FAIL FILE: reason".
With --key, bundles with transparency-log entries or timestamps have them checked against the
trusted root, but none are required. Keyless, the certificate chain, SCTs, transparency-log
entries and timestamps are checked against the trusted root, and the identity policy applies.
Exit codes: 0 every subject verified, 1 any verification failed, 2 usage or input error.`,
    )
    .action(async (subjects: string[], opts: VerifyCliOptions) => {
      let text: string;
      try {
        text = (await readRegularFile(opts.bundle)).toString('utf8');
      } catch (e) {
        if (e instanceof VouchError) throw e;
        throw new VouchError('INPUT_MISSING', `cannot read the bundle (${(e as NodeJS.ErrnoException).code ?? String(e)})`, { path: opts.bundle, cause: e });
      }
      if (opts.key !== undefined && (opts.certificateIdentity !== undefined || opts.certificateIdentityRegexp !== undefined)) {
        throw new VouchError('USAGE', '--key and --certificate-identity(-regexp) exclude each other: a bundle is signed by a key or by a certificate');
      }
      const result = await verifyBundle({
        bundle: parseBundleText(text, opts.bundle),
        bundlePath: opts.bundle,
        subjects,
        ...(opts.key !== undefined ? { key: await loadKeyFromOptions(opts.key, opts) } : {}),
        ...(opts.trustedRoot !== undefined ? { trustedRoot: await loadTrustedRoot(opts.trustedRoot) } : {}),
        ...(opts.certificateIdentity !== undefined ? { certificateIdentity: opts.certificateIdentity } : {}),
        ...(opts.certificateIdentityRegexp !== undefined ? { certificateIdentityRegexp: opts.certificateIdentityRegexp } : {}),
        ...(opts.certificateOidcIssuer !== undefined ? { certificateOidcIssuer: opts.certificateOidcIssuer } : {}),
        ...(opts.predicate !== undefined ? { predicate: { value: await readPredicate(opts.predicate), path: opts.predicate } } : {}),
      });
      process.stdout.write(formatOf(opts, 'table') === 'json' ? `${JSON.stringify(result, null, 2)}\n` : renderVerdicts(result));
      process.exitCode = result.ok ? EXIT_CLEAN : EXIT_FINDINGS;
    });
}

/** The text verdicts: one line per subject. */
export function renderVerdicts(r: VerifyResult): string {
  const who = r.key
    ? `key ${r.key}`
    : [r.identity?.subjectAlternativeName && `identity ${r.identity.subjectAlternativeName}`, r.identity?.issuer && `issuer ${r.identity.issuer}`]
        .filter(Boolean)
        .join(', ') || 'certificate';
  const what = r.kind === 'dsse' ? (r.predicateType ? `predicate ${r.predicateType}` : `payload ${r.payloadType ?? '?'}`) : 'blob signature';
  return safeText(r.subjects.map((s) => (s.ok ? `OK  ${s.subject}  (${who}, ${what})\n` : `FAIL ${s.subject}: ${s.reason ?? 'not verified'}\n`)).join(''));
}
