import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { escapeHtml, renderHtml } from './html.js';
import { hostileReport, plainReport, sampleReport } from './__fixtures__/reports.js';

// The browser half of these checks is test/acceptance/html-report.test.ts (headless Chromium).
describe('renderHtml', () => {
  const html = renderHtml(sampleReport());

  it('is one self-contained file: no src, no external stylesheet, font or import of any kind', () => {
    expect(html).not.toMatch(/\ssrc=/i);
    expect(html).not.toMatch(/<link\b/i);
    expect(html).not.toMatch(/url\(|@import|@font-face/i);
    expect(html.match(/<script\b/g)).toHaveLength(1);
    expect(html.match(/<style\b/g)).toHaveLength(1);
    // links to advisories are plain anchors the reader may follow, never loaded by the page
    for (const m of html.matchAll(/\shref="([^"]*)"/g)) expect(m[1]).toMatch(/^https?:\/\//);
  });

  it('allows exactly its own script and style by hash and nothing else', () => {
    const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(html)![1]!.replace(/&#39;/g, "'");
    const script = /<script>([\s\S]*?)<\/script>/.exec(html)![1]!;
    const style = /<style>([\s\S]*?)<\/style>/.exec(html)![1]!;
    const hash = (s: string) => `sha256-${createHash('sha256').update(s, 'utf8').digest('base64')}`;
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain(`script-src '${hash(script)}'`);
    expect(csp).toContain(`style-src '${hash(style)}'`);
  });

  it('escapes every report value', () => {
    const out = renderHtml(hostileReport());
    expect(out).not.toContain('<script>alert');
    expect(out).not.toContain('<img');
    expect(out).not.toContain('evil|pkg<b>');
    expect(out).toContain('&lt;/script&gt;&lt;img src=x onerror=alert(2)&gt;');
    expect(out).toContain('evil|pkg&lt;b&gt;');
  });

  it('escapeHtml covers text and both attribute quotes', () => {
    expect(escapeHtml(`<a href="x" title='y'>&amp;</a>`)).toBe('&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;amp;&lt;/a&gt;');
  });

  it('renders the header, verdict and one row pair per finding', () => {
    expect(html).toContain('<time datetime="2026-11-28T02:30:00.000Z">2026-11-28 02:30:00 UTC</time>');
    expect(html).toContain('Maven: 7 advisories, newest 2024-07-25, loaded 2026-11-27');
    expect(html).toContain('<strong>Failed (--fail-on any):</strong> 12 vulnerabilities in 8 packages, 2 known to be exploited.');
    expect(html.match(/<tr class="finding/g)).toHaveLength(14);
    expect(html.match(/<tr class="detail"/g)).toHaveLength(14);
    expect(html.match(/<tr class="finding suppressed" hidden/g)).toHaveLength(2);
  });

  it('degrades without the schema 1.2 fields: rank by position, no KEV or EPSS', () => {
    const out = renderHtml(plainReport());
    expect(out).not.toContain('class="badge kev"');
    expect(out).not.toContain('CISA KEV');
    expect(out).toContain('data-k-rank="14"');
    expect(out).not.toContain('class="finding suppressed"');
  });

  it('words the verdict by --fail-on', () => {
    const r = sampleReport();
    r.failOn = 'none';
    r.failed = false;
    expect(renderHtml(r)).toContain('<strong>12 vulnerabilities in 8 packages, 2 known to be exploited</strong> (no --fail-on threshold).');
    r.failOn = 'CRITICAL';
    r.findings = r.findings.filter((f) => f.severity.rating !== 'CRITICAL');
    expect(renderHtml(r)).toContain('<strong>Passed (--fail-on critical)</strong>, with 8 vulnerabilities in 6 packages below the threshold.');
  });

  it('says a clean scan passed and has no findings table', () => {
    const r = sampleReport();
    r.findings = [];
    r.failed = false;
    const out = renderHtml(r);
    expect(out).toContain('<strong>Passed (--fail-on any):</strong> no known vulnerabilities in 981 components checked.');
    expect(out).not.toContain('<table');
  });
});
