/** State-changing calls (POST/PATCH/DELETE) with a JSON body, through the same apiFetch (token, problem+json errors, 401 → sign-in). */
import { apiFetch } from './client';

export async function apiSend<T>(method: 'POST' | 'PATCH' | 'DELETE', path: string, body?: unknown): Promise<T> {
  const res = await apiFetch(path, {
    method,
    ...(body !== undefined ? { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } } : {}),
  });
  if (res.status === 204) return undefined as T;
  return (await res.json()) as T;
}
