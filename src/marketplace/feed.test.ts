import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { generateKeyPair, parseKey } from '../attest/keys.js';
import { VouchError } from '../model/errors.js';
import type { Engagement } from './engagements.js';
import { FEED_BUNDLE_SUFFIX, buildFeed, readFeed, signFeed, summariseFeeds } from './feed.js';
import type { Need } from './types.js';

const tmp = mkdtempSync(path.join(tmpdir(), 'vouch-market-feed-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const key = (type: 'p256' | 'ed25519' = 'p256'): { priv: ReturnType<typeof parseKey>; pub: ReturnType<typeof parseKey> } => {
  const k = generateKeyPair(type);
  return { priv: parseKey(k.privatePem, 'k.key'), pub: parseKey(k.publicPem, 'k.pub') };
};

const NEED: Need = {
  id: 'npm/mylib#fuzzing',
  kind: 'health',
  project: { ecosystem: 'npm', name: 'mylib', repositoryUrl: 'github.com/example/mylib' },
  title: 'Add fuzz targets and run them continuously',
  task: 't',
  reason: 'r',
  evidence: [],
  skills: { languages: ['JavaScript'], ecosystems: ['npm'], areas: ['fuzzing'], domains: ['parsers'] },
  effort: 'L',
  hours: 80,
  priority: 1.2,
  score: { reliance: 2, criticality: 0.6, criticalitySource: 'clone', gapWeight: 1, gap: 'g' },
};

const ENG: Engagement = {
  id: 'eng-1',
  need: { id: NEED.id, kind: 'health', title: NEED.title, task: 't', project: { ecosystem: 'npm', name: 'mylib' }, priority: 1.2, hours: 80, criticality: 0.6 },
  volunteer: 'Ada Lovelace',
  company: 'Acme',
  state: 'in_progress',
  history: [
    { at: '2026-06-02T00:00:00.000Z', to: 'proposed' },
    { at: '2026-06-04T00:00:00.000Z', from: 'proposed', to: 'in_progress' },
  ],
  links: [],
  hours: [],
  baseline: { health: 5, criticality: 0.6 },
  revision: 2,
};

async function publish(name: string, k: ReturnType<typeof key>, publisher = 'Acme'): Promise<string> {
  const file = path.join(tmp, name);
  const signed = await signFeed(buildFeed(publisher, [NEED], [{ company: 'Acme', quarter: '2026Q4', hours: 120 }], [ENG], new Date('2026-06-10T00:00:00Z')), k.priv);
  writeFileSync(file, signed.text);
  writeFileSync(`${file}${FEED_BUNDLE_SUFFIX}`, signed.bundle);
  return file;
}

describe('the signed needs and pledges feed', () => {
  it('round-trips with the publisher\'s key; volunteers\' names are not published', async () => {
    const k = key();
    const file = await publish('acme.json', k);
    const { feed } = await readFeed(file, [k.pub]);
    expect(feed).toMatchObject({ publisher: 'Acme', needs: [{ id: NEED.id, project: 'npm/mylib', priority: 1.2 }], pledges: [{ company: 'Acme', quarter: '2026Q4', hours: 120 }], engagements: [{ need: NEED.id, state: 'in_progress', since: '2026-06-04T00:00:00.000Z', company: 'Acme' }] });
    expect(readFileSync(file, 'utf8')).not.toContain('Ada');
  });

  it.each([
    ['one byte of the feed changed', (f: string) => writeFileSync(f, readFileSync(f, 'utf8').replace('"hours": 120', '"hours": 920'))],
    ['the bundle\'s signature changed', (f: string) => {
      const b = JSON.parse(readFileSync(`${f}${FEED_BUNDLE_SUFFIX}`, 'utf8'));
      const sig = Buffer.from(b.messageSignature.signature, 'base64');
      sig[10] = sig[10]! ^ 1;
      b.messageSignature.signature = sig.toString('base64');
      writeFileSync(`${f}${FEED_BUNDLE_SUFFIX}`, JSON.stringify(b));
    }],
  ])('refused when %s', async (_what, tamper) => {
    const k = key();
    const file = await publish(`t-${Math.random()}.json`, k);
    tamper(file);
    const err = await readFeed(file, [k.pub]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(VouchError);
    expect((err as VouchError).code).toBe('SIGNATURE_INVALID');
    expect((err as VouchError).oneLine()).toMatch(/: feed refused: /);
  });

  it('refused with a key that did not sign it; accepted when one of several trusted keys did', async () => {
    const signer = key();
    const other = key();
    const file = await publish('k.json', signer);
    await expect(readFeed(file, [other.pub])).rejects.toThrow(/feed refused: /);
    expect((await readFeed(file, [other.pub, signer.pub])).key).toBe(signer.pub.keyId);
  });

  it('an Ed25519 key cannot sign a feed (message signatures need P-256): said plainly', async () => {
    await expect(signFeed(buildFeed('Acme', [], [], []), key('ed25519').priv)).rejects.toThrow(/ECDSA P-256/);
  });

  it('summarises where help is going across feeds', async () => {
    const a = await readFeed(await publish('a.json', key(), 'Acme'), []).catch(() => undefined);
    expect(a).toBeUndefined(); // no key, no feed
    const k1 = key();
    const k2 = key();
    const f1 = (await readFeed(await publish('s1.json', k1, 'Acme'), [k1.pub])).feed;
    const f2 = (await readFeed(await publish('s2.json', k2, 'Globex'), [k2.pub])).feed;
    expect(summariseFeeds([f1, f2])).toEqual([
      {
        project: 'npm/mylib',
        open: 2,
        needs: [
          { publisher: 'Acme', count: 1, top: NEED.title },
          { publisher: 'Globex', count: 1, top: NEED.title },
        ],
        help: [
          { publisher: 'Acme', company: 'Acme', need: NEED.id, state: 'in_progress', since: '2026-06-04T00:00:00.000Z' },
          { publisher: 'Globex', company: 'Acme', need: NEED.id, state: 'in_progress', since: '2026-06-04T00:00:00.000Z' },
        ],
      },
    ]);
  });
});
