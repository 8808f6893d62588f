/** What each destination makes of an event: the one-line summary per event kind, Slack's escaping, the mail, secrets cut out. */
import { describe, expect, it } from 'vitest';
import { type EventBody, mailOf, redactSecrets, slackEscape, summarise } from './destinations.js';

const base = { id: 'event-7', at: '2026-12-07T10:00:00.000Z' };

describe('summarise', () => {
  it('says what happened, one line per event kind', () => {
    const finding = { ...base, project: 'billing', version: '1.0', vuln: 'GHSA-jfh8-c2jp-5v3q', purl: 'pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1', severity: 'CRITICAL', kev: true };
    expect(summarise({ ...finding, type: 'finding.new' })).toBe('New finding GHSA-jfh8-c2jp-5v3q (CRITICAL, in KEV) in pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1 — billing 1.0');
    expect(summarise({ ...finding, type: 'finding.resolved' })).toBe('Resolved GHSA-jfh8-c2jp-5v3q in pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1 — billing 1.0');
    expect(summarise({ ...finding, type: 'finding.kev' })).toBe('Now in CISA KEV: GHSA-jfh8-c2jp-5v3q in pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1 — billing 1.0');
    expect(summarise({ ...base, type: 'incident.opened', incident: 3, actor: 'alice', change: 'incident.opened', detail: { title: 'Log4Shell', affected: 2 } })).toBe('Incident 3 opened by alice: Log4Shell (2 affected project(s))');
    expect(summarise({ ...base, type: 'incident.updated', incident: 3, actor: 'vouch', change: 'task.patched', detail: { project: 'billing' } })).toBe('Incident 3: task.patched billing by vouch');
    expect(summarise({ ...base, type: 'policy.violation', project: 'billing', version: '1.0', detail: { violations: [{ message: 'GHSA-x in pkg:y: severity CRITICAL >= high' }, { message: 'b' }] } })).toBe(
      'Policy violation in billing 1.0: 2 finding(s) break the policy (GHSA-x in pkg:y: severity CRITICAL >= high, …)',
    );
    expect(summarise({ ...base, type: 'upload.failed', project: 'billing', version: '2.0', detail: { file: 'bom.json', error: { title: 't', detail: 'bom.json:3: not valid JSON' } } })).toBe('Upload of bom.json to billing 2.0 failed: bom.json:3: not valid JSON');
  });
});

describe('slackEscape', () => {
  it('leaves no markup: no mentions, no links', () => {
    expect(slackEscape('<!channel> <https://evil.example|x> & co')).toBe('&lt;!channel&gt; &lt;https://evil.example|x&gt; &amp; co');
  });
});

describe('mailOf', () => {
  it('puts the summary in a one-line subject and the event in the body', () => {
    const e: EventBody = { ...base, type: 'upload.failed', project: 'p', version: 'v', detail: { file: 'f\r\nBcc: x@evil.example', error: { detail: 'd' } } };
    const m = mailOf(e, ['a@example.com', 'b@example.com'], 'vouch@example.com');
    expect(m.subject).toBe('[vouch] Upload of f Bcc: x@evil.example to p v failed: d');
    expect(m.to).toBe('a@example.com, b@example.com');
    expect(m.headers).toEqual({ 'X-Vouch-Event-Id': 'event-7', 'X-Vouch-Event': 'upload.failed' });
    expect(JSON.parse(m.text.slice(m.text.indexOf('{')))).toEqual(e);
  });
});

describe('redactSecrets', () => {
  it('cuts the SMTP password and URL out of error text', () => {
    const s = { url: 'smtp://vouch:p%40ss@mail.example:587', from: 'v@example.com' };
    expect(redactSecrets('auth failed for p@ss at smtp://vouch:p%40ss@mail.example:587', s)).toBe('auth failed for *** at smtp://***');
    expect(redactSecrets('nothing secret', undefined)).toBe('nothing secret');
  });
});
