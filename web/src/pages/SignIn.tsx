import { useState, type FormEvent } from 'react';
import { getRouteApi, useNavigate } from '@tanstack/react-router';
import { useQueryClient } from '@tanstack/react-query';
import { ApiError, clearToken, problemOf, setToken } from '../api/client';
import { ErrorBox } from '../components/ui';
const route = getRouteApi('/sign-in');

/** Only a path of this app may be returned to after sign-in (never another origin). */
function localPath(next: string | undefined): string {
  return next && next.startsWith('/') && !next.startsWith('//') && !next.startsWith('/sign-in') ? next : '/';
}

export function SignInPage() {
  const { next } = route.useSearch();
  const navigate = useNavigate();
  const qc = useQueryClient();
  const [token, setTok] = useState('');
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);

  async function submit(e: FormEvent): Promise<void> {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      // the token is checked before it is kept: a token that cannot read the portfolio is refused here
      const res = await fetch('/api/v1/portfolio', { headers: { authorization: `Bearer ${token.trim()}`, accept: 'application/json' }, redirect: 'error', credentials: 'omit' });
      if (!res.ok) throw await problemOf(res);
      setToken(token.trim());
      qc.clear();
      await navigate({ href: localPath(next) });
    } catch (err) {
      clearToken();
      setError(err instanceof ApiError ? err : new Error(String(err)));
    } finally {
      setBusy(false);
    }
  }

  return (
    <section className="signin">
      <h1>Sign in</h1>
      <p>Paste an API token (<code>vouch token create --role viewer</code>). It is kept for this browser tab only.</p>
      <form onSubmit={(e) => void submit(e)}>
        <label htmlFor="token">API token</label>
        <input id="token" name="token" type="password" autoComplete="off" required value={token} onChange={(e) => setTok(e.target.value)} />
        <button type="submit" disabled={busy || token.trim() === ''}>
          Sign in
        </button>
      </form>
      {error !== undefined && <ErrorBox error={error} />}
    </section>
  );
}
