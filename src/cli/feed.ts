/**
 * `vouch feed publish DIR`: an organisation's own OSV advisories (and optionally OpenVEX documents)
 * as a signed static feed other organisations subscribe to with `vouch db update --source URL
 * --trusted-key KEY` (docs/feeds.md). src/share/feed.ts holds the format and the TLP rules; this
 * file reads the inputs, signs the index with src/attest and writes the folder.
 */
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import { displayKeyId, loadKey, parseKey } from '../attest/keys.js';
import { signDocument, verifyDocument } from '../attest/signed-document.js';
import type { FeedCrypto, FeedSigner } from '../portfolio/feeds.js';
import { AdvisoryStore } from '../advisories/store.js';
import { EXIT_CLEAN, VouchError } from '../model/errors.js';
import { byCodePoint } from '../model/order.js';
import { indexBytes, parseTlp, planFeed, type SubscribedRecord, TLP_LEVELS, type Tlp, writeFeed } from '../share/feed.js';
import { addPassphraseOptions, loadKeyFromOptions, type PassphraseOptions } from './key.js';
import { repeatable } from './repeatable.js';
import { MAX_INPUT_BYTES, readRegularFile } from '../io/input.js';

interface PublishOptions extends PassphraseOptions {
  key: string;
  publisher?: string;
  tlp?: string;
  records: string[];
  vex: string[];
  relay?: boolean;
  home?: string;
  quiet?: boolean;
}

export function registerFeed(program: Command): void {
  const feed = program.command('feed').description('signed advisory feeds between organisations: publish your own advisories for partners to subscribe to');
  addPassphraseOptions(
    feed
      .command('publish')
      .description('write DIR: OSV records, index.json with each file\'s sha256 and TLP level, and index.json.sigstore.json signed with your key')
      .argument('<dir>', 'the feed folder to write (new, empty, or a feed published before: it is replaced as a whole)')
      .requiredOption('--key <file>', 'the organisation\'s private key (ECDSA P-256: vouch key generate --type p256)')
      .option('--records <path>', 'OSV records to publish: JSON files, or folders of them (repeatable)', repeatable, [])
      .option('--vex <file>', 'an OpenVEX document to publish beside the records (repeatable)', repeatable, [])
      .option('--tlp <level>', `TLP level (${TLP_LEVELS.join(', ')}) of the records that carry none in database_specific.tlp, and of the VEX documents`)
      .option('--publisher <name>', 'the organisation\'s name, as subscribers\' reports show it (default: the key\'s SHA256 id)')
      .option('--relay', 'also publish the CLEAR and GREEN records held from feeds you subscribe to (AMBER and RED ones never are)')
      .option('--home <dir>', 'the advisory store whose subscribed feeds are checked (default: $VOUCH_HOME, else ~/.cache/vouch)')
      .option('-q, --quiet', 'no summary on stderr'),
  )
    .addHelpText(
      'after',
      `
TLP (docs/feeds.md): a record's level is its database_specific.tlp, else --tlp; a record with
neither is refused. A record whose id (or an alias) is a record held from a subscribed feed at
AMBER or RED is refused: only the organisation that wrote it may publish it. With --relay,
subscribed CLEAR and GREEN records are included with their origin; AMBER and RED ones never are.

Example:
  vouch key generate --type p256 --output acme
  vouch feed publish public/feed --key acme.key --publisher ACME --tlp AMBER --records advisories/

Host the folder on any web server or bucket; partners run
  vouch db update --source https://acme.example/feed --trusted-key acme.pub

Exit codes: 0 written, 2 usage or input error (one line; nothing is written).`,
    )
    .action(async (dir: string, opts: PublishOptions) => {
      const tlp: Tlp | undefined = opts.tlp !== undefined ? parseTlp(opts.tlp, '--tlp') : undefined;
      const own = await readInputs(opts.records, '--records');
      const vex = await readInputs(opts.vex, '--vex');
      const key = await loadKeyFromOptions(opts.key, opts);
      if (!key.privateKey) throw new VouchError('USAGE', '--key must be the private key (the .key file), not the public one', { path: opts.key });
      const plan = planFeed({
        publisher: opts.publisher ?? displayKeyId(key.keyId),
        own,
        vex,
        tlp,
        subscribed: subscribedRecords(opts.home),
        relay: opts.relay === true,
      });
      const index = indexBytes(plan.index);
      await writeFeed(dir, plan, index, await signDocument(index, key));
      if (!opts.quiet) {
        const relayed = plan.index.records.filter((r) => r.from).length;
        const byTlp = TLP_LEVELS.map((l) => [l, plan.index.records.filter((r) => r.tlp === l).length] as const).filter(([, n]) => n > 0);
        process.stderr.write(
          `vouch: wrote ${dir}: ${plan.index.records.length} record(s) (${byTlp.map(([l, n]) => `${n} ${l}`).join(', ')}${relayed ? `; ${relayed} relayed` : ''}), ` +
            `${plan.index.vex.length} VEX document(s), signed by ${displayKeyId(key.keyId)}\n`,
        );
        if (plan.withheld.length) process.stderr.write(`vouch: withheld ${plan.withheld.length} subscribed record(s) at AMBER or RED (never re-published)\n`);
      }
      process.exitCode = EXIT_CLEAN;
    });
}

/**
 * What `vouch serve` gives the server for feeds (src/portfolio/feeds.ts): a verifier per
 * subscription key — the same `verifyDocument` as `db update --trusted-key` — and, with
 * `--feed-key`, the signer of the server's own feed.
 */
export function serverFeedCrypto(): FeedCrypto {
  return {
    async verifierFor(publicKeyPem: string) {
      const key = parseKey(publicKeyPem, 'publicKey');
      if (key.privateKey) throw new VouchError('USAGE', 'publicKey: give the partner\'s public key (PUBLIC KEY), not a private one');
      return {
        keyId: displayKeyId(key.keyId),
        verify: async (index, bundle) => ({ keyId: (await verifyDocument(index, bundle, [key], 'feed')).keyId }),
      };
    },
  };
}

/** The signer of the server's own feed: an ECDSA P-256 private key, as `feed publish --key` takes. */
export async function serverFeedSigner(keyPath: string, publisher: string | undefined, passphrase?: string): Promise<FeedSigner> {
  const key = await loadKey(keyPath, passphrase);
  if (!key.privateKey) throw new VouchError('USAGE', '--feed-key must be the private key (the .key file), not the public one', { path: keyPath });
  if (key.type !== 'p256') throw new VouchError('USAGE', '--feed-key must be an ECDSA P-256 key (vouch key generate --type p256)', { path: keyPath });
  const keyId = displayKeyId(key.keyId);
  return { publisher: publisher ?? keyId, keyId, sign: (index) => signDocument(index, key) };
}

/** Files named, and the `.json` files of folders named (recursively, sorted), with their bytes. */
async function readInputs(specs: readonly string[], flag: string): Promise<{ file: string; data: Buffer }[]> {
  const files: string[] = [];
  const walk = async (p: string): Promise<void> => {
    const st = await stat(p).catch((e: NodeJS.ErrnoException) => {
      throw new VouchError('INPUT_MISSING', `${flag}: not found (${e.code ?? 'unreadable'})`, { path: p, cause: e });
    });
    if (st.isFile()) return void files.push(p);
    if (!st.isDirectory()) throw new VouchError('INPUT_UNSUPPORTED', `${flag}: neither a file nor a folder`, { path: p });
    const entries = (await readdir(p, { withFileTypes: true })).sort((a, b) => byCodePoint(a.name, b.name));
    for (const d of entries) {
      if (d.name.startsWith('.')) continue;
      const full = path.join(p, d.name);
      if (d.isDirectory()) await walk(full);
      else if (d.isFile() && d.name.toLowerCase().endsWith('.json')) files.push(full);
    }
  };
  for (const s of specs) await walk(s);
  return Promise.all(files.map(async (file) => ({ file, data: await readRegularFile(file, { maxBytes: MAX_INPUT_BYTES }) })));
}

/** The records the local store holds from subscribed feeds; none without a store. */
function subscribedRecords(home: string | undefined): SubscribedRecord[] {
  let store: AdvisoryStore;
  try {
    store = AdvisoryStore.open(home ?? AdvisoryStore.defaultHome());
  } catch (e) {
    if (e instanceof VouchError && e.code === 'STORE_MISSING') return [];
    throw e;
  }
  try {
    // a server's store also holds the organisation's own records as the feed `own` (src/portfolio/feeds.ts): not subscribed
    return store.partnerRecords().filter((r) => r.source.url !== 'own').map((r) => ({
      id: r.advisory.id,
      aliases: r.advisory.aliases ?? [],
      tlp: parseTlp(r.source.tlp, r.source.url),
      json: r.json,
      // a record relayed to us keeps the organisation that first published it
      origin: r.origin ?? { publisher: r.source.name, url: r.source.url, key: r.source.key },
    }));
  } finally {
    store.close();
  }
}
