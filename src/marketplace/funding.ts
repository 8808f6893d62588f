/**
 * A project's own funding channels and plans, read from its clone: GitHub's `.github/FUNDING.yml`
 * (also `FUNDING.yml` in the root or `docs/`) and the floss.fund manifest `funding.json` (schema
 * v1.0.0, https://fundingjson.org/schema/v1.0.0/funding.schema.json; the fields vouch shows are
 * checked by hand against it: the schema file is published without a licence, so it is not
 * vendored).
 *
 * Only https: URLs are shown; none is ever fetched. A malformed file is one warning line naming the
 * file and position, and is skipped; the rest is still computed.
 */
import { lstat } from 'node:fs/promises';
import path from 'node:path';
import { parseJsonInput } from '../io/json.js';
import { VouchError } from '../model/errors.js';
import type { FundingInfo } from './types.js';
import { parseYamlFile } from './yaml-doc.js';
import { readRegularFile } from '../io/input.js';

/** FUNDING.yml platforms and the https page an account name stands for. */
const PLATFORMS: Record<string, ((account: string) => string) | null> = {
  github: (a) => `https://github.com/sponsors/${a}`,
  patreon: (a) => `https://www.patreon.com/${a}`,
  open_collective: (a) => `https://opencollective.com/${a}`,
  ko_fi: (a) => `https://ko-fi.com/${a}`,
  tidelift: (a) => `https://tidelift.com/funding/github/${a}`,
  community_bridge: (a) => `https://funding.communitybridge.org/projects/${a}`,
  liberapay: (a) => `https://liberapay.com/${a}`,
  issuehunt: (a) => `https://issuehunt.io/r/${a}`,
  lfx_crowdfunding: (a) => `https://crowdfunding.lfx.linuxfoundation.org/projects/${a}`,
  polar: (a) => `https://polar.sh/${a}`,
  buy_me_a_coffee: (a) => `https://buymeacoffee.com/${a}`,
  thanks_dev: (a) => `https://thanks.dev/${a}`,
  otechie: (a) => `https://otechie.com/${a}`,
  custom: null,
};

const ACCOUNT = /^[A-Za-z0-9][A-Za-z0-9._\-/]{0,99}$/;

/** The URL when it is an absolute https: URL, else undefined (http:, javascript:, relative ...). */
export function httpsOnly(raw: string): string | undefined {
  try {
    const u = new URL(raw.trim());
    return u.protocol === 'https:' && u.hostname !== '' ? u.href : undefined;
  } catch {
    return undefined;
  }
}

export function parseFundingYml(text: string, file: string): FundingInfo {
  const y = parseYamlFile(text, file);
  const doc = y.value ?? {};
  if (typeof doc !== 'object' || Array.isArray(doc)) throw new VouchError('INPUT_PARSE', 'FUNDING.yml must be a mapping of platform: account', { path: file, position: { line: 1 } });
  const out: FundingInfo = { channels: [], plans: [] };
  for (const [platform, value] of Object.entries(doc as Record<string, unknown>)) {
    const line = y.lineOf(y.nodeAt([platform]));
    const at = (msg: string): VouchError => new VouchError('INPUT_PARSE', msg, { path: file, ...(line !== undefined ? { position: { line } } : {}) });
    if (!Object.hasOwn(PLATFORMS, platform)) throw at(`unknown funding platform "${platform}" (GitHub's FUNDING.yml keys: ${Object.keys(PLATFORMS).join(', ')})`);
    if (value === null || value === '') continue;
    const accounts = Array.isArray(value) ? value : [value];
    for (const a of accounts) {
      if (typeof a !== 'string') throw at(`${platform}: expected an account name or a list of them`);
      const make = PLATFORMS[platform];
      if (make === null || make === undefined) {
        const url = httpsOnly(a);
        out.channels.push({ platform, account: url ?? '(link not shown: not an https: URL)', ...(url ? { url } : {}), source: file });
      } else {
        if (!ACCOUNT.test(a)) throw at(`${platform}: "${a.slice(0, 60)}" is not an account name`);
        out.channels.push({ platform, account: a, url: make(a), source: file });
      }
    }
  }
  return out;
}

const CHANNEL_TYPES = ['bank', 'payment-provider', 'cheque', 'cash', 'other'];
const FREQUENCIES = ['one-time', 'weekly', 'fortnightly', 'monthly', 'yearly', 'other'];
const GUID = /^[a-z0-9-]+$/;

/** funding.json (floss.fund v1): the channels and plans, checked against the published schema's rules for those fields. */
export function parseFundingJson(text: string, file: string): FundingInfo {
  const doc = parseJsonInput(text, file) as Record<string, unknown>;
  const bad = (jsonPath: string, msg: string): VouchError => new VouchError('INPUT_PARSE', msg, { path: file, position: { jsonPath } });
  const obj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  if (!obj(doc)) throw bad('$', 'funding.json must be a JSON object');
  if (typeof doc['version'] !== 'string' || !/^v1(\.|$)/.test(doc['version'])) throw bad('$.version', `version must be a v1 version string such as "v1.0.0" (got ${JSON.stringify(doc['version'])})`);
  const entity = doc['entity'];
  if (!obj(entity) || typeof entity['name'] !== 'string') throw bad('$.entity.name', 'entity.name must be a string');
  const funding = doc['funding'];
  if (!obj(funding)) throw bad('$.funding', 'funding must be an object with channels and plans');
  const channels = funding['channels'];
  const plans = funding['plans'];
  if (!Array.isArray(channels)) throw bad('$.funding.channels', 'funding.channels must be an array');
  if (!Array.isArray(plans)) throw bad('$.funding.plans', 'funding.plans must be an array');
  const out: FundingInfo = { channels: [], plans: [] };
  const guids = new Set<string>();
  channels.forEach((c, i) => {
    const p = `$.funding.channels[${i}]`;
    if (!obj(c)) throw bad(p, 'a channel must be an object');
    if (typeof c['guid'] !== 'string' || !GUID.test(c['guid'])) throw bad(`${p}.guid`, 'guid must be lowercase letters, digits and dashes');
    if (typeof c['type'] !== 'string' || !CHANNEL_TYPES.includes(c['type'])) throw bad(`${p}.type`, `type must be one of ${CHANNEL_TYPES.join(', ')}`);
    if (c['address'] !== undefined && typeof c['address'] !== 'string') throw bad(`${p}.address`, 'address must be a string');
    guids.add(c['guid']);
    const address = typeof c['address'] === 'string' ? c['address'] : '';
    const looksLikeUrl = /^[a-z][a-z0-9+.-]*:/i.test(address) && !/^[^:]+@/.test(address);
    const url = looksLikeUrl ? httpsOnly(address) : undefined;
    // a payment address that is a URL is shown only when https:; other addresses (an e-mail, an account) are not links
    const shown = looksLikeUrl ? (url ?? '(link not shown: not an https: URL)') : address.slice(0, 250);
    out.channels.push({ platform: c['type'], account: `${c['guid']}${shown ? `: ${shown}` : ''}`, ...(url ? { url } : {}), source: file });
  });
  plans.forEach((pl, i) => {
    const p = `$.funding.plans[${i}]`;
    if (!obj(pl)) throw bad(p, 'a plan must be an object');
    if (typeof pl['name'] !== 'string') throw bad(`${p}.name`, 'name must be a string');
    if (pl['status'] !== 'active' && pl['status'] !== 'inactive') throw bad(`${p}.status`, 'status must be active or inactive');
    if (typeof pl['amount'] !== 'number' || !Number.isFinite(pl['amount']) || pl['amount'] < 0) throw bad(`${p}.amount`, 'amount must be a number ≥ 0 (0 = any amount)');
    if (typeof pl['currency'] !== 'string' || !/^[A-Z]{3}$/.test(pl['currency'])) throw bad(`${p}.currency`, 'currency must be a three-letter ISO 4217 code');
    if (typeof pl['frequency'] !== 'string' || !FREQUENCIES.includes(pl['frequency'])) throw bad(`${p}.frequency`, `frequency must be one of ${FREQUENCIES.join(', ')}`);
    const chs = pl['channels'];
    if (!Array.isArray(chs)) throw bad(`${p}.channels`, 'channels must be an array of channel guids');
    chs.forEach((g, j) => {
      if (typeof g !== 'string' || !guids.has(g)) throw bad(`${p}.channels[${j}]`, `${JSON.stringify(g)} is not the guid of a channel in funding.channels`);
    });
    out.plans.push({ name: pl['name'], amount: pl['amount'], currency: pl['currency'], frequency: pl['frequency'], status: pl['status'], source: file });
  });
  return out;
}

/** Where a clone keeps its funding files, in the order they are read. */
export const FUNDING_FILES = ['.github/FUNDING.yml', 'FUNDING.yml', 'docs/FUNDING.yml', 'funding.json'] as const;

const MAX_FUNDING_FILE = 256 * 1024;

/**
 * Reads a clone's funding files. Returns undefined when it has none; each malformed or unreadable
 * file adds one warning (`file:line: why` or `file ($.json.path): why`) and is skipped.
 */
export async function readFunding(clone: string, warnings: string[]): Promise<FundingInfo | undefined> {
  const out: FundingInfo = { channels: [], plans: [] };
  let found = false;
  for (const rel of FUNDING_FILES) {
    const file = path.join(clone, rel);
    // regular files only: a symlink in a clone could point anywhere
    const st = await lstat(file).catch(() => undefined);
    if (!st?.isFile()) continue;
    if (st.size > MAX_FUNDING_FILE) {
      warnings.push(`${file}: skipped: larger than ${MAX_FUNDING_FILE / 1024} KiB`);
      continue;
    }
    try {
      const text = (await readRegularFile(file)).toString('utf8');
      const info = rel === 'funding.json' ? parseFundingJson(text, file) : parseFundingYml(text, file);
      out.channels.push(...info.channels);
      out.plans.push(...info.plans);
      found = true;
    } catch (e) {
      if (!(e instanceof VouchError)) throw e;
      warnings.push(e.oneLine());
    }
  }
  return found ? out : undefined;
}
