import { useState, type FormEvent } from 'react';
import { getRouteApi, useNavigate } from '@tanstack/react-router';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { ApiError, localPathOf as localPath, signInOptions, signInWithToken, withQuery } from '../api/client';
import { ErrorBox } from '../components/ui';
const route = getRouteApi('/sign-in');

/** The reason an OpenID Connect sign-in came back refused (`/sign-in?error=…`, set by the server): shown as text. */
function oidcError(): string | undefined {
  try {
    return new URLSearchParams(window.location.search).get('error')?.slice(0, 300) || undefined;
  } catch {
    return undefined;
  }
}

export function SignInPage() {
  const { next } = route.useSearch();
  const navigate = useNavigate();
  const qc = useQueryClient();
  const [token, setTok] = useState('');
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const options = useQuery({ queryKey: ['sign-in-options'], queryFn: signInOptions, staleTime: Infinity, retry: 1 });
  const refused = oidcError();

  async function submit(e: FormEvent): Promise<void> {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      // the server checks the token and answers with an httpOnly session cookie: the token is not kept here
      await signInWithToken(token.trim());
      setTok('');
      qc.clear();
      await navigate({ href: localPath(next) });
    } catch (err) {
      setError(err instanceof ApiError ? err : new Error(String(err)));
    } finally {
      setBusy(false);
    }
  }

  return (
    <section className="signin">
      <h1>Sign in</h1>
      {refused !== undefined && (
        <div role="alert" className="error">
          <strong>Single sign-on failed</strong>: {refused}
        </div>
      )}
      {options.data?.oidc && (
        <p>
          <a href={withQuery('/api/v1/oidc/login', { next: localPath(next) })}>
            Sign in with your organisation
          </a>
        </p>
      )}
      <p>Or paste an API token (<code>vouch token create --role viewer</code>). It is traded for a session that ends when you sign out or after 12 hours; the page never keeps the token.</p>
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
