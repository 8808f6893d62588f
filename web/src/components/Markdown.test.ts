/**
 * Advisory Markdown through the sanitising renderer, with hostile input: no HTML from the text is
 * ever in the output, and only absolute http(s) links are links.
 */
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { SafeMarkdown, markdownUrl } from './Markdown';

const html = (text: string): string => renderToStaticMarkup(createElement(SafeMarkdown, { text }));

describe('SafeMarkdown', () => {
  it('renders Markdown as elements: emphasis, code, lists and http(s) links', () => {
    const out = html('Log4j **JNDI** lookups in `log4j-core`:\n\n- see [the advisory](https://logging.apache.org/log4j/2.x/security.html)\n- upgrade');
    expect(out).toBe(
      '<div><p>Log4j <strong>JNDI</strong> lookups in <code>log4j-core</code>:</p>\n<ul>\n<li>see <a href="https://logging.apache.org/log4j/2.x/security.html" rel="noopener noreferrer nofollow" target="_blank">the advisory</a></li>\n<li>upgrade</li>\n</ul></div>',
    );
  });

  it('drops raw HTML: script, event handlers, iframes, style', () => {
    const out = html('a <script>window.__pwned=1</script> b <img src=x onerror="window.__pwned=2"> <iframe src="https://evil.example"></iframe> <b style="x">bold</b>\n\n<div onclick="alert(1)">block</div>');
    expect(out).not.toMatch(/<script|<img|<iframe|onerror|onclick|style=|<div onclick|<b\b/i);
    // the text between the tags stays, as text
    expect(out).toContain('a ');
    expect(out).toContain('bold');
  });

  it('never makes a javascript:, data:, vbscript:, relative or protocol-relative URL clickable', () => {
    const hostile = [
      '[a](javascript:window.__pwned=3)',
      '[b](JaVaScRiPt:alert(1))',
      '[c](java\tscript:alert(1))',
      '[d](data:text/html,<script>alert(1)</script>)',
      '[e](vbscript:msgbox(1))',
      '[f](/api/v1/tokens)',
      '[g](//evil.example/x)',
      '<javascript:alert(1)>',
      '[h][ref]\n\n[ref]: javascript:alert(1)',
      '[i](&#106;avascript:alert(1))',
    ];
    for (const md of hostile) {
      const out = html(md);
      expect(out, md).not.toMatch(/<a\b/);
      expect(out, md).not.toMatch(/href=/);
    }
    expect(html('[ok](https://example.org/x?a=1)')).toContain('<a href="https://example.org/x?a=1"');
  });

  it('shows an image as its alt text and fetches nothing', () => {
    const out = html('![tracking pixel](https://evil.example/pixel.gif) and ![](data:image/png;base64,AAAA)');
    expect(out).not.toMatch(/<img|src=/);
    expect(out).toContain('[image: tracking pixel]');
    expect(out).toContain('[image]');
  });

  it('headings in advisory text do not outrank the page\'s', () => {
    expect(html('# Impact\n\ntext')).toBe('<div><p class="md-heading">Impact</p>\n<p>text</p></div>');
  });

  it('markdownUrl keeps absolute http(s) URLs only', () => {
    expect(markdownUrl('https://example.org/a')).toBe('https://example.org/a');
    expect(markdownUrl('http://example.org/')).toBe('http://example.org/');
    expect(markdownUrl(' javascript:alert(1)')).toBe('');
    expect(markdownUrl('data:text/html,x')).toBe('');
    expect(markdownUrl('mailto:a@example.org')).toBe('');
    expect(markdownUrl('/relative')).toBe('');
  });
});
