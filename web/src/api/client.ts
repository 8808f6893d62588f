/**
 * The one way the dashboard calls the API: same origin, authenticated by the session cookie the
 * server set at sign-in (httpOnly: this code never sees a token or a secret), JSON in, problem+json
 * errors turned into an ApiError whose message is the problem's title and detail. The browser adds
 * the `Origin` header the server's CSRF check wants to every change. A 401 (the session expired,
 * was signed out, or its token revoked) sends the user to sign-in, returning to the page afterwards.
 *
 * Whether the app is signed in is read from the server's marker cookie `vouch_signed_in=1` (no
 * secret; `__Host-` prefixed behind https), so every tab — and the page an OpenID Connect sign-in
 * lands on — knows without asking.
 */
import type { Page, Session } from './types';

const MARKER = /(?:^|;\s*)((?:__Host-)?vouch_signed_in)=1(?:;|$)/;

/** The marker cookie's name in a `document.cookie` string, when it says signed in (only the exact value 1 counts). */
export function markerIn(cookies: string): string | undefined {
  return MARKER.exec(cookies)?.[1];
}

/** Whether a session cookie is there (the server may still say it has expired: then a 401 signs out). */
export function isSignedIn(): boolean {
  try {
    return markerIn(document.cookie) !== undefined;
  } catch {
    return false;
  }
}

/** Forgets the marker (the httpOnly session cookie is the server's to clear). */
function forgetMarker(): void {
  try {
    const name = markerIn(document.cookie);
    if (name) document.cookie = `${name}=; Max-Age=0; Path=/; SameSite=Strict${name.startsWith('__Host-') ? '; Secure' : ''}`;
  } catch {
    /* no document (tests) */
  }
}

/** Only a path of this app may be returned to after sign-in (never another origin, never sign-in itself). */
export function localPathOf(next: string | undefined): string {
  return next && next.startsWith('/') && !next.startsWith('//') && !next.startsWith('/\\') && !next.startsWith('/sign-in') ? next : '/';
}

/** Signs in with an API token: the server answers with the session cookie; the token is not kept. */
export async function signInWithToken(token: string): Promise<Session> {
  const res = await fetch('/api/v1/session', {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify({ token }),
    redirect: 'error',
    credentials: 'same-origin',
  });
  if (!res.ok) throw await problemOf(res);
  return (await res.json()) as Session;
}

/** The ways in the server offers (OpenID Connect when configured). */
export async function signInOptions(): Promise<{ token: boolean; oidc: boolean }> {
  const res = await fetch('/api/v1/session/options', { headers: { accept: 'application/json' }, redirect: 'error', credentials: 'same-origin' });
  if (!res.ok) throw await problemOf(res);
  return (await res.json()) as { token: boolean; oidc: boolean };
}

/** Signs out: the server ends the session and clears both cookies. */
export async function signOut(): Promise<void> {
  forgetMarker();
  try {
    await fetch('/api/v1/session', { method: 'DELETE', redirect: 'error', credentials: 'same-origin' });
  } catch {
    /* offline: the session expires on its own */
  }
}

/** @deprecated for router.tsx until it moves to isSignedIn: non-null when signed in (never a secret). */
export function getToken(): string | null {
  return isSignedIn() ? 'session' : null;
}
/** @deprecated for router.tsx until it moves to signOut: signs out (the server request is not awaited). */
export function clearToken(): void {
  void signOut();
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    readonly detail: string | undefined,
  ) {
    super(detail ? `${title}: ${detail}` : title);
    this.name = 'ApiError';
  }
}

/** Reads a problem+json (or any) error body into an ApiError without ever throwing on a bad body. */
export async function problemOf(res: Response): Promise<ApiError> {
  let title = res.statusText || `HTTP ${res.status}`;
  let detail: string | undefined;
  try {
    const text = await res.text();
    const body = JSON.parse(text) as { title?: unknown; detail?: unknown };
    if (typeof body.title === 'string') title = body.title;
    if (typeof body.detail === 'string') detail = body.detail;
  } catch {
    /* not JSON: the status line says it */
  }
  return new ApiError(res.status, title, detail);
}

let onUnauthorized: (() => void) | undefined;
/** What to do on a 401 (main.tsx: go to sign-in with the current page to return to). */
export function setUnauthorizedHandler(f: () => void): void {
  onUnauthorized = f;
}

export async function apiFetch(path: string, init: RequestInit = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  headers.set('accept', headers.get('accept') ?? 'application/json');
  const res = await fetch(path, { ...init, headers, redirect: 'error', credentials: 'same-origin' });
  if (res.status === 401) {
    forgetMarker();
    onUnauthorized?.();
  }
  if (!res.ok) throw await problemOf(res);
  return res;
}

export async function apiGet<T>(path: string, query?: Record<string, string | number | boolean | undefined>): Promise<T> {
  const res = await apiFetch(withQuery(path, query));
  return (await res.json()) as T;
}

export function withQuery(path: string, query?: Record<string, string | number | boolean | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `${path}?${s}` : path;
}

/** Every page of a paged list (the server's `next` cursor), up to `max` items. */
export async function apiGetAll<T>(path: string, query: Record<string, string | number | boolean | undefined> = {}, max = 100_000): Promise<{ items: T[]; truncated: boolean }> {
  const items: T[] = [];
  let cursor: string | undefined;
  for (;;) {
    const page = await apiGet<Page<T>>(path, { ...query, limit: 1000, cursor });
    items.push(...page.items);
    if (!page.next) return { items, truncated: false };
    if (items.length >= max) return { items, truncated: true };
    cursor = page.next;
  }
}

export const enc = encodeURIComponent;

/** Downloads a report (findings?format=…) with the session, as a file. */
export async function download(path: string, fileName: string): Promise<void> {
  const res = await apiFetch(path, { headers: { accept: '*/*' } });
  const blob = await res.blob();
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
