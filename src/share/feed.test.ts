/**
 * The feed format and its TLP rules, below the CLI: which records a feed may hold (planFeed), what
 * an index may name (parseIndex), and that reading verifies everything before returning anything.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { generateKeyPair, parseKey } from '../attest/keys.js';
import { signDocument, verifyDocument } from '../attest/signed-document.js';
import type { VouchError } from '../model/errors.js';
import { type FeedOrigin, type IndexVerifier, indexBytes, parseIndex, parseTlp, planFeed, readAdvisoryFeed, type SubscribedRecord, TLP_LEVELS, tlpAllows, writeFeed } from './feed.js';

const root = mkdtempSync(path.join(os.tmpdir(), 'vouch-share-feed-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const record = (id: string, extra: Record<string, unknown> = {}): Buffer =>
  Buffer.from(
    JSON.stringify({
      schema_version: '1.6.0',
      id,
      modified: '2026-12-01T00:00:00Z',
      summary: `finding ${id}`,
      affected: [{ package: { ecosystem: 'npm', name: 'left-pad' }, ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }, { fixed: '1.3.1' }] }] }],
      ...extra,
    }),
  );
const ACME: FeedOrigin = { publisher: 'ACME', url: 'https://acme.example/feed', key: 'SHA256:00' };
const held = (id: string, tlp: SubscribedRecord['tlp']): SubscribedRecord => ({ id, aliases: [], tlp, json: record(id).toString(), origin: ACME });

describe('planFeed: the TLP rules of publishing', () => {
  it("a record's own database_specific.tlp wins over --tlp; --tlp labels the others", () => {
    const plan = planFeed({
      publisher: 'Globex',
      own: [
        { file: 'a.json', data: record('x_GLOBEX-1', { database_specific: { tlp: 'RED' } }) },
        { file: 'b.json', data: record('x_GLOBEX-2') },
      ],
      vex: [],
      tlp: 'GREEN',
      subscribed: [],
      relay: false,
    });
    expect(plan.index.records.map((r) => [r.id, r.tlp])).toEqual([
      ['x_GLOBEX-1', 'RED'],
      ['x_GLOBEX-2', 'GREEN'],
    ]);
  });

  it('a record with no TLP at all is refused: nothing is published at a level nobody chose', () => {
    expect(() => planFeed({ publisher: 'Globex', own: [{ file: 'b.json', data: record('x_GLOBEX-2') }], vex: [], subscribed: [], relay: false })).toThrow(
      /x_GLOBEX-2 has no TLP level: give --tlp, or set database_specific.tlp/,
    );
  });

  it('an own record that is (or aliases) a subscribed AMBER or RED record is refused; CLEAR and GREEN ones may be re-published', () => {
    const own = (data: Buffer): Parameters<typeof planFeed>[0] => ({ publisher: 'Globex', own: [{ file: 'c.json', data }], vex: [], tlp: 'CLEAR', subscribed: [held('x_ACME-1', 'AMBER'), held('x_ACME-2', 'RED'), held('x_ACME-3', 'GREEN')], relay: false });
    expect(() => planFeed(own(record('x_ACME-1')))).toThrow(/x_ACME-1 is held from ACME's feed \(https:\/\/acme.example\/feed\) at TLP:AMBER/);
    expect(() => planFeed(own(record('x_GLOBEX-9', { aliases: ['x_ACME-2'] })))).toThrow(/at TLP:RED: AMBER and RED records are never re-published/);
    expect(planFeed(own(record('x_ACME-3'))).index.records.map((r) => r.id)).toEqual(['x_ACME-3']);
  });

  it('--relay includes subscribed CLEAR and GREEN records with their origin and withholds AMBER and RED', () => {
    const plan = planFeed({
      publisher: 'Globex',
      own: [],
      vex: [],
      subscribed: [held('x_ACME-1', 'AMBER'), held('x_ACME-2', 'RED'), held('x_ACME-3', 'GREEN'), held('x_ACME-4', 'CLEAR')],
      relay: true,
    });
    expect(plan.index.records.map((r) => [r.id, r.tlp, r.from?.publisher])).toEqual([
      ['x_ACME-3', 'GREEN', 'ACME'],
      ['x_ACME-4', 'CLEAR', 'ACME'],
    ]);
    expect(plan.withheld.map((w) => [w.id, w.tlp])).toEqual([
      ['x_ACME-1', 'AMBER'],
      ['x_ACME-2', 'RED'],
    ]);
    expect([...plan.files.keys()]).toEqual(['records/x_ACME-3.json', 'records/x_ACME-4.json']);
  });

  it('input errors: not OSV, an id that walks out of records/ (the OSV schema refuses it), two records of one id, a VEX file that is not OpenVEX', () => {
    const base = { publisher: 'G', vex: [], tlp: 'CLEAR' as const, subscribed: [], relay: false };
    expect(() => planFeed({ ...base, own: [{ file: 'x.json', data: Buffer.from('{"id": 1}') }] })).toThrow(/not a valid OSV record/);
    expect(() => planFeed({ ...base, own: [{ file: 'x.json', data: record('../../etc/passwd') }] })).toThrow(/not a valid OSV record: \$\.id/);
    expect(() => planFeed({ ...base, own: [{ file: 'x.json', data: record('x_G-1') }, { file: 'y.json', data: record('x_G-1') }] })).toThrow(/two records with the id x_G-1/);
    expect(() => planFeed({ ...base, own: [], vex: [{ file: 'v.json', data: Buffer.from('{"statements": []}') }] })).toThrow(/not an OpenVEX document/);
  });
});

describe('TLP levels', () => {
  it('a reader cleared for a level gets that level and the ones below it', () => {
    expect(TLP_LEVELS.filter((l) => tlpAllows('GREEN', l))).toEqual(['CLEAR', 'GREEN']);
    expect(TLP_LEVELS.filter((l) => tlpAllows('CLEAR', l))).toEqual(['CLEAR']);
    expect(TLP_LEVELS.filter((l) => tlpAllows('RED', l))).toEqual(['CLEAR', 'GREEN', 'AMBER', 'RED']);
  });

  it('parses the TLP 2.0 spellings, with or without the TLP: prefix, and refuses others', () => {
    expect(parseTlp('tlp:amber', '--tlp')).toBe('AMBER');
    expect(parseTlp(' Red ', '--tlp')).toBe('RED');
    expect(() => parseTlp('WHITE', '--tlp')).toThrow('--tlp: TLP level "WHITE" is not one of CLEAR, GREEN, AMBER, RED');
  });
});

describe('parseIndex: what a signed index may name', () => {
  const entry = { path: 'records/x_A-1.json', id: 'x_A-1', sha256: 'a'.repeat(64), size: 10, tlp: 'CLEAR' };
  const index = (records: unknown[], vex: unknown[] = []): Buffer => Buffer.from(JSON.stringify({ schema: 'vouch-advisory-feed/1', publisher: 'A', published: '2026-12-01T00:00:00Z', records, vex }));

  it('reads a well-formed index', () => {
    expect(parseIndex(index([entry]), 'i.json').records).toEqual([entry]);
  });

  it.each([
    ['a path outside records/', { ...entry, path: 'records/../../x_A-1.json' }, /\$\.records\[0\]\.path/],
    ['a path that is not its id', { ...entry, path: 'records/x_A-2.json' }, /\$\.records\[0\]\.path/],
    ['a bad digest', { ...entry, sha256: 'xyz' }, /\$\.records\[0\]\.sha256/],
    ['an unknown TLP level', { ...entry, tlp: 'WHITE' }, /\$\.records\[0\]\.tlp/],
  ])('refuses %s, naming the JSON path', (_what, bad, where) => {
    const err = (() => {
      try {
        parseIndex(index([bad]), 'i.json');
      } catch (e) {
        return e as VouchError;
      }
      throw new Error('accepted');
    })();
    expect(err.code).toBe('INPUT_PARSE');
    expect(err.oneLine()).toMatch(where);
  });

  it('refuses an entry listed twice and a vex path outside vex/', () => {
    expect(() => parseIndex(index([entry, entry]), 'i.json')).toThrow(/listed twice/);
    expect(() => parseIndex(index([], [{ ...entry, path: 'vex/../index.json' }]), 'i.json')).toThrow(/not a vex\/<name>\.json path/);
  });
});

describe('readAdvisoryFeed and writeFeed', () => {
  const pair = generateKeyPair('p256');
  const priv = parseKey(pair.privatePem, 'a.key');
  const pub = parseKey(pair.publicPem, 'a.pub');
  const verifier: IndexVerifier = async (index, bundle) => ({ keyId: (await verifyDocument(index, bundle, [pub], 'feed')).keyId });

  const publish = async (dir: string, ids: string[], now?: Date): Promise<void> => {
    const plan = planFeed({ publisher: 'A', own: ids.map((id) => ({ file: `${id}.json`, data: record(id) })), vex: [], tlp: 'GREEN', subscribed: [], relay: false, ...(now ? { now } : {}) });
    const bytes = indexBytes(plan.index);
    await writeFeed(dir, plan, bytes, await signDocument(bytes, priv));
  };

  it('a feed written is read back whole; publishing again replaces it as a whole', async () => {
    const dir = path.join(root, 'feed');
    await publish(dir, ['x_A-1', 'x_A-2']);
    let feed = await readAdvisoryFeed(dir, verifier);
    expect(feed.records.map((r) => [r.id, r.tlp])).toEqual([
      ['x_A-1', 'GREEN'],
      ['x_A-2', 'GREEN'],
    ]);
    expect(feed.keyId).toBe(pub.keyId);
    await publish(dir, ['x_A-3']);
    feed = await readAdvisoryFeed(dir, verifier);
    expect(feed.records.map((r) => r.id)).toEqual(['x_A-3']);
  });

  it('a folder holding other files is not published into (nothing of it is touched)', async () => {
    const dir = mkdtempSync(path.join(root, 'busy-'));
    writeFileSync(path.join(dir, 'notes.txt'), 'mine');
    await expect(publish(dir, ['x_A-1'])).rejects.toThrow(/1 file\(s\) that are not part of a feed \(notes\.txt\)/);
    expect(readFileSync(path.join(dir, 'notes.txt'), 'utf8')).toBe('mine');
  });

  it('an index older than the one loaded last is a replay', async () => {
    const dir = path.join(root, 'replay');
    await publish(dir, ['x_A-1'], new Date('2026-01-01T00:00:00Z'));
    await expect(readAdvisoryFeed(dir, verifier, { notBefore: () => '2026-06-01T00:00:00Z' })).rejects.toThrow(/a replayed older index/);
    // the same index again is not a replay (an update run twice)
    await expect(readAdvisoryFeed(dir, verifier, { notBefore: () => '2026-01-01T00:00:00Z' })).resolves.toMatchObject({ published: '2026-01-01T00:00:00.000Z' });
  });

  it('VEX documents travel with their digest and TLP, and are checked on reading like records', async () => {
    const dir = path.join(root, 'vex');
    const vex = Buffer.from(JSON.stringify({ '@context': 'https://openvex.dev/ns/v0.2.0', '@id': 'https://a.example/vex/1', author: 'A', timestamp: '2026-12-01T00:00:00Z', version: 1, statements: [] }));
    const plan = planFeed({ publisher: 'A', own: [], vex: [{ file: 'app vex.json', data: vex }], tlp: 'GREEN', subscribed: [], relay: false });
    expect(plan.index.vex.map((v) => [v.path, v.tlp])).toEqual([['vex/app_vex.json', 'GREEN']]);
    // a file name a reader would refuse (leading dot) is named from the content instead
    const hidden = planFeed({ publisher: 'A', own: [], vex: [{ file: '.vex.JSON', data: vex }], tlp: 'GREEN', subscribed: [], relay: false });
    expect(hidden.index.vex[0]!.path).toMatch(/^vex\/vex-[0-9a-f]{16}\.json$/);
    expect(() => parseIndex(indexBytes(hidden.index), 'i.json')).not.toThrow();
    const bytes = indexBytes(plan.index);
    await writeFeed(dir, plan, bytes, await signDocument(bytes, priv));
    const feed = await readAdvisoryFeed(dir, verifier);
    expect(feed.vex.map((v) => [v.path, v.data.equals(vex)])).toEqual([['vex/app_vex.json', true]]);
    writeFileSync(path.join(dir, 'vex', 'app_vex.json'), Buffer.concat([vex, Buffer.from(' ')]));
    await expect(readAdvisoryFeed(dir, verifier)).rejects.toThrow(/vex\/app_vex\.json is .* bytes, more than the \d+ its index or the limits allow/);
  });

  it('a scheme other than http(s) or a folder is a usage error', async () => {
    await expect(readAdvisoryFeed('ftp://example.com/feed', verifier)).rejects.toThrow(/an http\(s\) URL or a local folder/);
  });
});
