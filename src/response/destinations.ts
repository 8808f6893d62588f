/**
 * Where a notification goes (issue 14, item 2): a webhook (the event as JSON, signed), a
 * Slack-compatible incoming webhook (`{text, blocks}` — Slack, Mattermost, Rocket.Chat and others
 * take it), or e-mail through the SMTP server the admin configured (`vouch serve --smtp URL
 * --smtp-from ADDR`, or $VOUCH_SMTP_URL / $VOUCH_SMTP_FROM). Each turns one stored event body into
 * what is sent; notifications.ts sends it with the same retries, order and delivery log.
 */
import { createTransport } from 'nodemailer';

export const DESTINATIONS = ['webhook', 'slack', 'email'] as const;
export type Destination = (typeof DESTINATIONS)[number];

/** An event body as the outbox keeps it (notifications.ts `collect`). */
export type EventBody = Record<string, unknown> & { id: string; type: string; at: string };

const s = (v: unknown): string => (typeof v === 'string' || typeof v === 'number' ? String(v) : '');

/** One line that says what happened, for a chat message or a mail subject. */
export function summarise(e: EventBody): string {
  const d = (e['detail'] ?? {}) as Record<string, unknown>;
  const where = `${s(e['project'])} ${s(e['version'])}`.trim();
  switch (e.type) {
    case 'finding.new':
      return `New finding ${s(e['vuln'])} (${s(e['severity']) || 'severity unknown'}${e['kev'] === true ? ', in KEV' : ''}) in ${s(e['purl'])} — ${where}`;
    case 'finding.resolved':
      return `Resolved ${s(e['vuln'])} in ${s(e['purl'])} — ${where}`;
    case 'finding.kev':
      return `Now in CISA KEV: ${s(e['vuln'])} in ${s(e['purl'])} — ${where}`;
    case 'incident.opened':
      return `Incident ${s(e['incident'])} opened by ${s(e['actor'])}: ${s(d['title'])} (${s(d['affected'])} affected project(s))`;
    case 'incident.updated':
      return `Incident ${s(e['incident'])}: ${s(e['change'])}${d['project'] !== undefined ? ` ${s(d['project'])}` : ''} by ${s(e['actor'])}`;
    case 'policy.violation': {
      const v = Array.isArray(d['violations']) ? (d['violations'] as { message?: string }[]) : [];
      return `Policy violation in ${where}: ${v.length} finding(s) break the policy${v[0]?.message ? ` (${s(v[0].message)}${v.length > 1 ? ', …' : ''})` : ''}`;
    }
    case 'upload.failed':
      return `Upload of ${s(d['file'])} to ${where} failed: ${s((d['error'] as Record<string, unknown> | undefined)?.['detail'])}`;
    default:
      return `${e.type}`;
  }
}

/** Slack's mrkdwn treats &, < and > as markup: escaped, so input text cannot make links or mentions. */
export function slackEscape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** The incoming-webhook payload: `text` (the notification and fallback) and blocks with the event id and time. */
export function slackPayload(e: EventBody): string {
  const text = slackEscape(summarise(e));
  return JSON.stringify({
    text,
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text } },
      { type: 'context', elements: [{ type: 'mrkdwn', text: slackEscape(`vouch ${e.type} · ${e.at} · event ${e.id}`) }] },
    ],
  });
}

export interface SmtpSettings {
  /** smtp://user:pass@host:587 or smtps://…:465; never logged or shown */
  url: string;
  from: string;
}

/** The mail of one event: the summary as subject, the event as JSON below it; the event id in a header. */
export function mailOf(e: EventBody, to: readonly string[], from: string): { from: string; to: string; subject: string; text: string; headers: Record<string, string> } {
  const subject = `[vouch] ${summarise(e)}`.replace(/[\r\n]+/g, ' ').slice(0, 250);
  return {
    from,
    to: to.join(', '),
    subject,
    text: `${summarise(e)}\n\n${JSON.stringify(e, null, 2)}\n`,
    headers: { 'X-Vouch-Event-Id': e.id, 'X-Vouch-Event': e.type },
  };
}

export interface Mailer {
  send(mail: ReturnType<typeof mailOf>): Promise<string>;
  close(): void;
}

/** A nodemailer SMTP transport with the notification timeouts; `send` resolves with the server's answer. */
export function smtpMailer(settings: SmtpSettings, timeoutMs: number): Mailer {
  const transport = createTransport({ url: settings.url, connectionTimeout: timeoutMs, greetingTimeout: timeoutMs, socketTimeout: timeoutMs });
  return {
    async send(mail) {
      const info = (await transport.sendMail(mail)) as { response?: string };
      return info.response ?? '';
    },
    close: () => transport.close(),
  };
}

/** An SMTP URL with its password replaced, for error text that could quote it. */
export function redactSecrets(text: string, settings: SmtpSettings | undefined): string {
  if (!settings) return text;
  // the whole URL first (it holds the password), then the password wherever else it shows
  let out = text.split(settings.url).join('smtp://***');
  try {
    const u = new URL(settings.url);
    for (const secret of [u.password, decodeURIComponent(u.password)]) if (secret) out = out.split(secret).join('***');
  } catch {
    // not a URL: nothing to find in it
  }
  return out;
}
