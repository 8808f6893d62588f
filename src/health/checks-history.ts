/** Checks of the history: Maintained, Contributors, Code-Review, Signed-Releases. */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { RepoContext } from './context.js';
import { catFile, git } from './git.js';
import { type CheckResult, type Evidence, proportional } from './types.js';
import { byCodePoint } from '../model/order.js';

const DAY = 86_400;

// ---------------------------------------------------------------- Maintained

export function maintained(ctx: RepoContext): CheckResult {
  const base = { name: 'Maintained', risk: 'High' as const, remediation: 'None needed by the project; users should judge whether the software needs active maintenance.' };
  if (ctx.commits.length === 0) return { ...base, score: null, reason: 'no commits', evidence: [] };
  const first = Math.min(...ctx.commits.map((c) => c.committerTime));
  const since = ctx.now - 90 * DAY;
  const evidence: Evidence[] = [{ path: '.', detail: `first commit ${iso(first)}, last commit ${iso(Math.max(...ctx.commits.map((c) => c.committerTime)))}`, kind: 'info' }];
  // Scorecard: a project younger than 90 days gets the lowest score: too new to judge
  if (first > since) return { ...base, score: 0, reason: `repository is younger than 90 days (first commit ${iso(first)})`, evidence };
  const recent = ctx.commits.filter((c) => c.committerTime >= since && c.committerTime <= ctx.now).length;
  // Scorecard: proportional to one commit per week over 90 days (90/7 = 12 weeks, integer); issue activity cannot be seen offline
  const score = proportional(recent, Math.floor(90 / 7));
  return { ...base, score, reason: `${recent} commit(s) in the last 90 days (issue activity not counted offline)`, evidence };
}

// ---------------------------------------------------------------- Contributors

const PUBLIC_MAIL = new Set([
  'gmail.com', 'googlemail.com', 'yahoo.com', 'yahoo.co.uk', 'yahoo.fr', 'hotmail.com', 'hotmail.co.uk', 'hotmail.fr', 'outlook.com', 'live.com', 'msn.com',
  'icloud.com', 'me.com', 'mac.com', 'aol.com', 'gmx.de', 'gmx.net', 'gmx.com', 'web.de', 'protonmail.com', 'proton.me', 'pm.me', 'qq.com', '163.com', '126.com',
  'yandex.ru', 'yandex.com', 'mail.ru', 'fastmail.com', 'fastmail.fm', 'zoho.com', 'tutanota.com', 'hey.com', 'posteo.de', 'mailbox.org', 'free.fr', 'orange.fr',
  'comcast.net', 'sbcglobal.net', 'localhost', 'example.com', 'users.sourceforge.net',
]);

/** The organisation an e-mail address stands for, or undefined for public providers, bots and noreply addresses. */
export function orgOfEmail(email: string): string | undefined {
  const at = email.lastIndexOf('@');
  if (at < 0) return undefined;
  const domain = email.slice(at + 1).toLowerCase().replace(/\.$/, '');
  const local = email.slice(0, at).toLowerCase();
  if (!domain.includes('.') || PUBLIC_MAIL.has(domain) || /noreply|no-reply/.test(domain) || /noreply|no-reply|\[bot\]/.test(local)) return undefined;
  // mail.company.com, eng.company.com → company.com (keep two labels; three for co.uk-style suffixes)
  const labels = domain.split('.');
  const keep = labels.length >= 3 && /^(co|com|ac|org|net|gov)$/.test(labels[labels.length - 2]!) && labels[labels.length - 1]!.length === 2 ? 3 : 2;
  return labels.slice(-keep).join('.');
}

export function contributors(ctx: RepoContext): CheckResult {
  const base = { name: 'Contributors', risk: 'Low' as const, remediation: 'None for the project itself; it shows how many organisations contribute, for a trust decision.' };
  const last = ctx.commits.slice(0, 30);
  if (last.length === 0) return { ...base, score: null, reason: 'no commits', evidence: [] };
  // Scorecard: contributors with at least 5 of the last 30 commits, counted by organisation
  const byAuthor = new Map<string, number>();
  for (const c of last) byAuthor.set(c.authorEmail, (byAuthor.get(c.authorEmail) ?? 0) + 1);
  const orgs = new Map<string, string[]>();
  for (const [email, n] of byAuthor) {
    if (n < 5) continue;
    const org = orgOfEmail(email);
    if (!org) continue;
    orgs.set(org, [...(orgs.get(org) ?? []), email]);
  }
  const evidence: Evidence[] = [...orgs].map(([org, emails]) => ({ path: '.', detail: `organisation ${org}: ${emails.join(', ')}`, kind: 'info' as const }));
  const score = Math.min(10, Math.floor((orgs.size * 10) / 3));
  return { ...base, score, reason: `${orgs.size} organisation(s) (by e-mail domain) among contributors with 5+ of the last ${last.length} commits`, evidence };
}

// ---------------------------------------------------------------- Code-Review

const BOT = /\[bot\]|^dependabot|^renovate|^github-actions|^greenkeeper|^snyk-bot|^pre-commit-ci/i;
const REVIEW_TRAILER = /^(Reviewed-by|Reviewed-on|Approved-by|Acked-by|PR-URL):/i;

export interface ReviewVerdict {
  reviewed: boolean;
  bot: boolean;
  why: string;
}

/**
 * The offline heuristic for one mainline change: a merge commit (the PR merge button), review
 * trailers (Gerrit's Reviewed-by/Reviewed-on, Acked-by, Node's PR-URL), a co-author, or a GitHub
 * squash-merge (`(#123)` in the subject, committed by someone other than the author) count as
 * reviewed. None of them proves an approval happened.
 */
export function reviewVerdict(c: RepoContext['commits'][number]): ReviewVerdict {
  const bot = BOT.test(c.authorName) || BOT.test(c.authorEmail);
  if (c.parents.length > 1) return { reviewed: true, bot, why: 'merge commit' };
  const t = c.trailers.find((x) => REVIEW_TRAILER.test(x));
  if (t) return { reviewed: true, bot, why: `trailer ${t.split(':')[0]}` };
  if (c.trailers.some((x) => /^Co-authored-by:/i.test(x))) return { reviewed: true, bot, why: 'Co-authored-by trailer' };
  if (/\(#\d+\)\s*$/.test(c.subject) && c.committerEmail !== c.authorEmail) return { reviewed: true, bot, why: 'squash-merged pull request' };
  return { reviewed: false, bot, why: 'committed directly' };
}

export function codeReview(ctx: RepoContext): CheckResult {
  const base = { name: 'Code-Review', risk: 'High' as const, remediation: 'Require a second person to review every change (branch protection with required reviews) and merge through pull requests.' };
  const changes = ctx.mainline.slice(0, 30);
  if (changes.length === 0) return { ...base, score: null, reason: 'no commits', evidence: [] };
  const verdicts = changes.map((c) => ({ c, v: reviewVerdict(c) }));
  const humans = verdicts.filter((x) => !x.v.bot);
  if (humans.length === 0) return { ...base, score: null, reason: 'recent changes are all by bots: inconclusive', evidence: [] };
  const unreviewedHumans = humans.filter((x) => !x.v.reviewed);
  const unreviewedBots = verdicts.filter((x) => x.v.bot && !x.v.reviewed);
  // Scorecard's levels: -3 for unreviewed bot changes, -7 for one unreviewed human change, -3 more for several
  let score = 10;
  if (unreviewedBots.length > 0) score -= 3;
  if (unreviewedHumans.length > 0) score -= 7;
  if (unreviewedHumans.length > 1) score -= 3;
  score = Math.max(0, score);
  const evidence: Evidence[] = [...unreviewedHumans, ...unreviewedBots].slice(0, 20).map((x) => ({ path: '.', detail: `${x.c.sha.slice(0, 12)} "${x.c.subject.slice(0, 60)}" by ${x.c.authorEmail}: no sign of review`, kind: 'fail' as const }));
  const reviewed = verdicts.filter((x) => x.v.reviewed).length;
  return { ...base, score, reason: `${reviewed} of ${changes.length} recent mainline changes show signs of review (merge commits, review trailers, squash-merged PRs)`, evidence };
}

// ---------------------------------------------------------------- Signed-Releases

export interface SignatureOptions {
  /** an OpenPGP keyring (armored or binary) to verify gpg signatures with */
  gpgKeyring?: string;
  /** an ssh allowed_signers file to verify ssh signatures with */
  allowedSigners?: string;
}

/** The signature kind carried by a raw tag or commit object, if any. */
export function signatureKind(raw: string): 'gpg' | 'ssh' | 'x509' | undefined {
  if (/-----BEGIN SSH SIGNATURE-----/.test(raw)) return 'ssh';
  if (/-----BEGIN PGP SIGNATURE-----/.test(raw)) return 'gpg';
  if (/-----BEGIN SIGNED MESSAGE-----/.test(raw)) return 'x509';
  return undefined;
}

async function verifier(opts: SignatureOptions): Promise<{ env: Record<string, string>; config: Record<string, string>; cleanup: () => Promise<void> } | undefined> {
  if (!opts.gpgKeyring && !opts.allowedSigners) return undefined;
  const env: Record<string, string> = {};
  const config: Record<string, string> = {};
  let dir: string | undefined;
  if (opts.gpgKeyring) {
    dir = await mkdtemp(path.join(tmpdir(), 'vouch-gnupg-'));
    env['GNUPGHOME'] = dir;
    await new Promise<void>((resolve) => execFile('gpg', ['--batch', '--quiet', '--import', path.resolve(opts.gpgKeyring!)], { env: { ...process.env, GNUPGHOME: dir } }, () => resolve()));
  }
  if (opts.allowedSigners) config['gpg.ssh.allowedSignersFile'] = path.resolve(opts.allowedSigners);
  const cleanup = async (): Promise<void> => {
    if (!dir) return;
    // gpg may have started an agent for this throw-away home: stop it before removing the folder
    await new Promise<void>((resolve) => execFile('gpgconf', ['--kill', 'all'], { env: { ...process.env, GNUPGHOME: dir } }, () => resolve()));
    await rm(dir, { recursive: true, force: true });
  };
  return { env, config, cleanup };
}

export async function signedReleases(ctx: RepoContext, opts: SignatureOptions = {}): Promise<CheckResult> {
  const base = { name: 'Signed-Releases', risk: 'High' as const, remediation: 'Sign release tags (git tag -s, with gpg or ssh) or the commits they point at, and publish the keys so users can verify.' };
  if (ctx.tags.length === 0) return { ...base, score: null, reason: 'no tags: no releases to check (release assets on a hosting platform cannot be seen offline)', evidence: [] };
  const recent = [...ctx.tags].sort((a, b) => b.time - a.time || byCodePoint(b.name, a.name)).slice(0, 5);
  const v = await verifier(opts);
  const evidence: Evidence[] = [];
  let good = 0;
  try {
    for (const t of recent) {
      const ref = `refs/tags/${t.name}`;
      let kind = t.type === 'tag' ? signatureKind(await catFile(ctx.root, ref)) : undefined;
      let what = 'tag';
      if (!kind && t.commit) {
        const raw = await catFile(ctx.root, t.commit);
        kind = signatureKind(raw);
        what = 'commit';
        // GitHub signs the commits it creates (web-flow) with its own key: that says "merged on
        // github.com", not "released by a maintainer"
        if (kind && /^committer [^\n]*<noreply@github\.com>/m.test(raw)) {
          evidence.push({ path: ref, detail: `tag ${t.name}: only its commit is signed, by GitHub's web-flow key (made on github.com), which is not a release signature`, kind: 'fail' });
          continue;
        }
      }
      if (!kind) {
        evidence.push({ path: ref, detail: `tag ${t.name}: neither the tag nor its commit is signed`, kind: 'fail' });
        continue;
      }
      if (!v) {
        good++;
        evidence.push({ path: ref, detail: `tag ${t.name}: ${what} signed (${kind}), not verified (give --gpg-keyring or --allowed-signers)`, kind: 'info' });
        continue;
      }
      const r = await git(ctx.root, what === 'tag' ? ['verify-tag', ref] : ['verify-commit', t.commit], { env: v.env, config: v.config });
      if (r.code === 0) {
        good++;
        evidence.push({ path: ref, detail: `tag ${t.name}: ${what} signature (${kind}) verified`, kind: 'info' });
      } else {
        evidence.push({ path: ref, detail: `tag ${t.name}: ${what} signature (${kind}) does NOT verify: ${r.stderr.trim().split('\n').pop() ?? ''}`, kind: 'fail' });
      }
    }
  } finally {
    await v?.cleanup();
  }
  const how = v ? 'verified' : 'signed (not verified)';
  return { ...base, score: proportional(good, recent.length), reason: `${good} of the last ${recent.length} tag(s) ${how}`, evidence };
}

function iso(sec: number): string {
  return new Date(sec * 1000).toISOString().slice(0, 10);
}
