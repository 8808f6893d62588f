/**
 * Trusted roots for keyless verification: a TrustedRoot JSON file (`--trusted-root`), or the
 * Sigstore public-good root embedded in @sigstore/tuf's seeds (read offline; never fetched, so it
 * is as fresh as the installed @sigstore/tuf).
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { TrustedRoot } from '@sigstore/protobuf-specs';
import { VouchError } from '../model/errors.js';
import { readRegularFile } from '../io/input.js';

const PUBLIC_GOOD_TUF = 'https://tuf-repo-cdn.sigstore.dev';

/** Parses TrustedRoot JSON text (`path` names it in errors). */
export async function parseTrustedRoot(text: string, path: string): Promise<TrustedRoot> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new VouchError('INPUT_PARSE', `the trusted root is not JSON (${(e as Error).message})`, { path, cause: e });
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json)) {
    throw new VouchError('INPUT_PARSE', 'the trusted root must be a JSON object (a Sigstore TrustedRoot)', { path, position: { jsonPath: '$' } });
  }
  const media = (json as Record<string, unknown>)['mediaType'];
  if (typeof media !== 'string' || !media.startsWith('application/vnd.dev.sigstore.trustedroot')) {
    throw new VouchError('INPUT_PARSE', `not a Sigstore TrustedRoot (mediaType ${JSON.stringify(media)})`, { path, position: { jsonPath: '$.mediaType' } });
  }
  checkValidityStarts(json as Record<string, unknown>, path);
  try {
    return TrustedRoot.fromJSON(json);
  } catch (e) {
    throw new VouchError('INPUT_PARSE', `invalid TrustedRoot (${(e as Error).message})`, { path, cause: e });
  }
}

export async function loadTrustedRoot(path: string): Promise<TrustedRoot> {
  let text: string;
  try {
    text = (await readRegularFile(path)).toString('utf8');
  } catch (e) {
    if (e instanceof VouchError) throw e;
    throw new VouchError('INPUT_MISSING', `cannot read the trusted root (${(e as NodeJS.ErrnoException).code ?? String(e)})`, { path, cause: e });
  }
  return parseTrustedRoot(text, path);
}

/** The public-good trusted root shipped in @sigstore/tuf's seeds.json (offline). */
export async function publicGoodTrustedRoot(): Promise<TrustedRoot> {
  const seedsPath = createRequire(import.meta.url).resolve('@sigstore/tuf/seeds.json');
  const seeds = JSON.parse(await readFile(seedsPath, 'utf8')) as Record<string, { targets?: Record<string, string> }>;
  const b64 = seeds[PUBLIC_GOOD_TUF]?.targets?.['trusted_root.json'];
  if (!b64) throw new VouchError('STORE_MISSING', 'the installed @sigstore/tuf has no embedded public-good trusted root', { path: seedsPath });
  return parseTrustedRoot(Buffer.from(b64, 'base64').toString('utf8'), `${seedsPath} (trusted_root.json)`);
}

/**
 * Every log key, CA and TSA of a trusted root must say from when it is valid (`validFor.start`):
 * @sigstore/verify would read a missing start as "since the beginning of time", a malformed root
 * that the Sigstore conformance suite requires clients to reject.
 */
function checkValidityStarts(root: Record<string, unknown>, path: string): void {
  const list = (k: string): Record<string, unknown>[] => (Array.isArray(root[k]) ? (root[k] as Record<string, unknown>[]) : []);
  const startOf = (v: unknown): unknown => (v && typeof v === 'object' ? (v as Record<string, unknown>)['start'] : undefined);
  for (const k of ['tlogs', 'ctlogs']) {
    list(k).forEach((log, i) => {
      const pk = log?.['publicKey'] as Record<string, unknown> | undefined;
      if (pk && typeof startOf(pk['validFor']) !== 'string') {
        throw new VouchError('INPUT_PARSE', 'invalid trusted root: a log key without validFor.start', { path, position: { jsonPath: `$.${k}[${i}].publicKey.validFor.start` } });
      }
    });
  }
  for (const k of ['certificateAuthorities', 'timestampAuthorities']) {
    list(k).forEach((ca, i) => {
      if (typeof startOf(ca?.['validFor']) !== 'string') {
        throw new VouchError('INPUT_PARSE', 'invalid trusted root: an authority without validFor.start', { path, position: { jsonPath: `$.${k}[${i}].validFor.start` } });
      }
    });
  }
}
