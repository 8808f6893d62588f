/**
 * The signed needs and pledges feed, so several companies see where help is already going: a JSON
 * document (the needs an organisation sees, its pledges, and its open and closed engagements
 * without volunteers' names) and a Sigstore bundle beside it (`FILE.sigstore.json`, a message
 * signature by the organisation's key, as `vouch sign` writes; `vouch verify FILE --bundle ...
 * --key ...` checks it too). A reader refuses a feed whose signature does not verify with one of
 * the keys it trusts; nothing of it is used.
 */
import { readFile } from 'node:fs/promises';
import type { LoadedKey } from '../attest/keys.js';
import { BUNDLE_SUFFIX, signDocument, verifyDocument } from '../attest/signed-document.js';
import { parseJsonInput } from '../io/json.js';
import { VouchError } from '../model/errors.js';
import type { Engagement, EngagementState } from './engagements.js';
import { ENGAGEMENT_STATES } from './engagements.js';
import type { EffortClass, Need, NeedKind, Pledge, SkillProfile } from './types.js';

export const FEED_SCHEMA = 'vouch-marketplace-feed/1';
export const FEED_BUNDLE_SUFFIX = BUNDLE_SUFFIX;

export interface FeedNeed {
  id: string;
  project: string;
  repositoryUrl?: string;
  kind: NeedKind;
  title: string;
  effort: EffortClass;
  priority: number;
  skills: SkillProfile;
}

export interface FeedEngagement {
  need: string;
  project: string;
  state: EngagementState;
  /** when it entered that state */
  since: string;
  company?: string;
}

export interface MarketplaceFeed {
  schema: typeof FEED_SCHEMA;
  publisher: string;
  published: string;
  needs: FeedNeed[];
  pledges: Omit<Pledge, 'line'>[];
  engagements: FeedEngagement[];
}

export function buildFeed(publisher: string, needs: readonly Need[], pledges: readonly Pledge[], engagements: readonly Engagement[], now: Date = new Date()): MarketplaceFeed {
  if (publisher.trim() === '') throw new VouchError('USAGE', '--publisher must name the organisation publishing the feed');
  return {
    schema: FEED_SCHEMA,
    publisher: publisher.trim(),
    published: now.toISOString(),
    needs: needs.map((n) => ({
      id: n.id,
      project: `${n.project.ecosystem}/${n.project.name}`,
      ...(n.project.repositoryUrl ? { repositoryUrl: n.project.repositoryUrl } : {}),
      kind: n.kind,
      title: n.title,
      effort: n.effort,
      priority: n.priority,
      skills: n.skills,
    })),
    pledges: pledges.map((p) => ({ company: p.company, quarter: p.quarter, hours: p.hours })),
    // no volunteers' names leave the organisation: the need, the state and the company only
    engagements: engagements.map((e) => ({
      need: e.need.id,
      project: `${e.need.project.ecosystem}/${e.need.project.name}`,
      state: e.state,
      since: e.history[e.history.length - 1]?.at ?? '',
      ...(e.company ? { company: e.company } : {}),
    })),
  };
}

/** The feed's bytes and the Sigstore bundle over them. Needs an ECDSA P-256 private key. */
export async function signFeed(feed: MarketplaceFeed, key: LoadedKey): Promise<{ text: string; bundle: string }> {
  const text = `${JSON.stringify(feed, null, 2)}\n`;
  return { text, bundle: await signDocument(Buffer.from(text, 'utf8'), key) };
}

/**
 * Verifies FILE against its bundle (default FILE.sigstore.json) with any of `keys`, then reads it.
 * Throws SIGNATURE_INVALID when no key verifies it, INPUT_PARSE when the signed document is not a feed.
 */
export async function readFeed(file: string, keys: readonly LoadedKey[], bundleFile = `${file}${FEED_BUNDLE_SUFFIX}`): Promise<{ feed: MarketplaceFeed; key: string }> {
  if (keys.length === 0) throw new VouchError('USAGE', 'reading a feed needs --key with the publisher\'s public key');
  let bundleText: string;
  try {
    bundleText = await readFile(bundleFile, 'utf8');
  } catch (e) {
    throw new VouchError('INPUT_MISSING', `cannot read the feed's signature bundle (${(e as NodeJS.ErrnoException).code ?? String(e)})`, { path: bundleFile, cause: e });
  }
  let data: Buffer;
  try {
    data = await readFile(file);
  } catch (e) {
    throw new VouchError('INPUT_MISSING', `cannot read the feed (${(e as NodeJS.ErrnoException).code ?? String(e)})`, { path: file, cause: e });
  }
  // the bytes verified are the bytes parsed below: a file replaced in between changes nothing
  const used = await verifyDocument({ name: file, data }, { name: bundleFile, text: bundleText }, keys, 'feed');
  const text = data.toString('utf8');
  const doc = parseJsonInput(text, file) as Partial<MarketplaceFeed>;
  if (typeof doc !== 'object' || doc === null || doc.schema !== FEED_SCHEMA) throw new VouchError('INPUT_PARSE', `not a vouch marketplace feed (expected "schema": "${FEED_SCHEMA}")`, { path: file, position: { jsonPath: '$.schema' } });
  if (typeof doc.publisher !== 'string' || !Array.isArray(doc.needs) || !Array.isArray(doc.pledges) || !Array.isArray(doc.engagements)) {
    throw new VouchError('INPUT_PARSE', 'a feed needs publisher, needs, pledges and engagements', { path: file, position: { jsonPath: '$' } });
  }
  doc.engagements.forEach((e, i) => {
    if (!e || typeof e.project !== 'string' || !ENGAGEMENT_STATES.includes(e.state)) throw new VouchError('INPUT_PARSE', 'an engagement needs a project and a state', { path: file, position: { jsonPath: `$.engagements[${i}]` } });
  });
  doc.needs.forEach((n, i) => {
    if (!n || typeof n.project !== 'string' || typeof n.id !== 'string') throw new VouchError('INPUT_PARSE', 'a need needs an id and a project', { path: file, position: { jsonPath: `$.needs[${i}]` } });
  });
  return { feed: doc as MarketplaceFeed, key: used.keyId };
}

export interface FeedProjectSummary {
  project: string;
  /** publishers that list needs for it, with how many */
  needs: { publisher: string; count: number; top: string }[];
  /** help under way or given: publisher, company, state */
  help: { publisher: string; company?: string; need: string; state: EngagementState; since: string }[];
  /** engagements not yet done or dropped */
  open: number;
}

/** Where help is going across feeds: by project, most open engagements first. */
export function summariseFeeds(feeds: readonly MarketplaceFeed[]): FeedProjectSummary[] {
  const by = new Map<string, FeedProjectSummary>();
  const get = (project: string): FeedProjectSummary => {
    let s = by.get(project);
    if (!s) by.set(project, (s = { project, needs: [], help: [], open: 0 }));
    return s;
  };
  for (const f of feeds) {
    const counts = new Map<string, FeedNeed[]>();
    for (const n of f.needs) counts.set(n.project, [...(counts.get(n.project) ?? []), n]);
    for (const [project, list] of counts) {
      const top = [...list].sort((a, b) => b.priority - a.priority)[0]!;
      get(project).needs.push({ publisher: f.publisher, count: list.length, top: top.title });
    }
    for (const e of f.engagements) {
      const s = get(e.project);
      s.help.push({ publisher: f.publisher, ...(e.company ? { company: e.company } : {}), need: e.need, state: e.state, since: e.since });
      if (e.state !== 'done' && e.state !== 'dropped') s.open++;
    }
  }
  return [...by.values()].sort((a, b) => b.open - a.open || b.needs.length - a.needs.length || a.project.localeCompare(b.project, 'en'));
}
