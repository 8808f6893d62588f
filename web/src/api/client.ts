/**
 * The one way the dashboard calls the API: same origin, `Authorization: Bearer <token>` from the
 * session (sessionStorage: gone when the tab closes), JSON in, problem+json errors turned into an
 * ApiError whose message is the problem's title and detail. A 401 forgets the token and sends the
 * user to sign-in, returning to the page afterwards.
 */
import type { Page } from './types';

const TOKEN_KEY = 'vouch.token';

export function getToken(): string | null {
  try {
    return sessionStorage.getItem(TOKEN_KEY);
  } catch {
    return null;
  }
}
export function setToken(token: string): void {
  sessionStorage.setItem(TOKEN_KEY, token);
}
export function clearToken(): void {
  sessionStorage.removeItem(TOKEN_KEY);
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
  const token = getToken();
  const headers = new Headers(init.headers);
  if (token) headers.set('authorization', `Bearer ${token}`);
  headers.set('accept', headers.get('accept') ?? 'application/json');
  const res = await fetch(path, { ...init, headers, redirect: 'error', credentials: 'omit' });
  if (res.status === 401) {
    clearToken();
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

/** Downloads a report (findings?format=…) with the token, as a file. */
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
