import type { ReactNode } from 'react';
import type { UseQueryResult } from '@tanstack/react-query';
import { ApiError } from '../api/client';
import { formatAge, safeHref } from '../lib/format';

/** A query's state: loading, its error as the problem's title and detail, or the children with the data's age. */
export function QueryView<T>({ q, label, children }: { q: UseQueryResult<T>; label: string; children: (data: T) => ReactNode }) {
  if (q.data !== undefined) {
    return (
      <>
        {q.isError && (
          <p className="stale" role="status">
            Showing data from {formatAge(new Date(q.dataUpdatedAt).toISOString())}: {errorText(q.error)} — retrying.
          </p>
        )}
        {children(q.data)}
      </>
    );
  }
  if (q.isError) return <ErrorBox error={q.error} />;
  return (
    <p className="loading" role="status" aria-live="polite">
      Loading {label}…
    </p>
  );
}

export function errorText(e: unknown): string {
  if (e instanceof ApiError) return e.message;
  if (e instanceof Error) return `the server could not be reached (${e.message})`;
  return String(e);
}

export function ErrorBox({ error }: { error: unknown }) {
  return (
    <div className="error" role="alert">
      {error instanceof ApiError ? (
        <>
          <strong>{error.title}</strong>
          {error.detail && <span> — {error.detail}</span>}
        </>
      ) : (
        <strong>{errorText(error)}</strong>
      )}
    </div>
  );
}

export function SeverityBadge({ s }: { s: string | undefined }) {
  const v = (s ?? 'UNKNOWN').toUpperCase();
  return <span className={`sev sev-${v.toLowerCase()}`}>{v}</span>;
}

export function KevBadge() {
  return (
    <span className="kev" title="In CISA's Known Exploited Vulnerabilities catalog">
      KEV
    </span>
  );
}

/** A link only when the URL is http(s); anything else is shown as plain text. */
export function ExternalLink({ url, children }: { url: string; children?: ReactNode }) {
  const href = safeHref(url);
  if (!href) return <span className="nolink">{children ?? url}</span>;
  return (
    <a href={href} rel="noopener noreferrer nofollow" target="_blank">
      {children ?? url}
    </a>
  );
}
