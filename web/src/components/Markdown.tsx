/**
 * Advisory text (OSV `details` is Markdown) rendered safely: react-markdown builds React elements
 * from the Markdown syntax tree — never HTML strings — and with `skipHtml` any raw HTML in the text
 * is dropped, not inserted. A link is a link only when its URL is absolute http(s) (safeHref):
 * `javascript:`, `data:`, relative and other URLs are shown as their text. Images are never
 * fetched (the app requests nothing from other origins): an image is shown as its alt text.
 */
import Markdown, { type Components } from 'react-markdown';
import { safeHref } from '../lib/format';

/** Only http(s) URLs survive; everything else becomes '' (and the link below renders as text). */
export function markdownUrl(url: string): string {
  return safeHref(url) ?? '';
}

const components: Components = {
  a: ({ href, children }) => {
    const safe = safeHref(href);
    if (!safe) return <span className="nolink">{children}</span>;
    return (
      <a href={safe} rel="noopener noreferrer nofollow" target="_blank">
        {children}
      </a>
    );
  },
  img: ({ alt }) => <span className="nolink">{alt ? `[image: ${alt}]` : '[image]'}</span>,
  // headings in advisory text sit under the page's own: shown one level smaller, as plain emphasis
  h1: ({ children }) => <p className="md-heading">{children}</p>,
  h2: ({ children }) => <p className="md-heading">{children}</p>,
  h3: ({ children }) => <p className="md-heading">{children}</p>,
  h4: ({ children }) => <p className="md-heading">{children}</p>,
  h5: ({ children }) => <p className="md-heading">{children}</p>,
  h6: ({ children }) => <p className="md-heading">{children}</p>,
};

export function SafeMarkdown({ text, className }: { text: string; className?: string }) {
  return (
    <div className={className}>
      <Markdown skipHtml urlTransform={markdownUrl} components={components}>
        {text}
      </Markdown>
    </div>
  );
}
