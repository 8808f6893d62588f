import { Link, Outlet, createRootRoute, createRoute, createRouter, redirect, useNavigate, useRouterState } from '@tanstack/react-router';
import { useEffect, useRef } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { clearToken, getToken } from './api/client';
import { PortfolioPage } from './pages/Portfolio';
import { ProjectsPage } from './pages/Projects';
import { ProjectPage } from './pages/Project';
import { VulnerabilityPage } from './pages/Vulnerability';
import { ComponentsPage } from './pages/Components';
import { SignInPage } from './pages/SignIn';
import { IncidentPage, IncidentsPage } from './pages/Incidents';
import { SettingsPage } from './pages/Settings';
import { useIsAdmin } from './components/useIsAdmin';
import { MarketplacePage } from './pages/Marketplace';

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

function Layout() {
  const navigate = useNavigate();
  const qc = useQueryClient();
  // re-read on every navigation: signing in or out changes the header
  useRouterState({ select: (s) => s.location.href });
  const signedIn = getToken() !== null;
  // Settings are for admins (others get no link)
  const admin = useIsAdmin();
  // a new page moves the keyboard focus to its content (a filter typed into the URL does not)
  const pathname = useRouterState({ select: (s) => s.location.pathname });
  const firstPage = useRef(true);
  useEffect(() => {
    if (firstPage.current) {
      firstPage.current = false;
      return;
    }
    document.getElementById('main')?.focus();
  }, [pathname]);
  return (
    <>
      <a className="skip" href="#main">Skip to content</a>
      <header className="top">
        <span className="brand">vouch</span>
        {signedIn && (
          <nav aria-label="Main">
            <Link to="/" activeOptions={{ exact: true }}>Portfolio</Link>
            <Link to="/projects" activeOptions={{ exact: true }}>Projects</Link>
            <Link to="/vulnerabilities">Vulnerabilities</Link>
            <Link to="/components">Components</Link>
            <Link to="/incidents">Incidents</Link>
            <Link to="/marketplace">Marketplace</Link>
            {admin.data === true && <Link to="/settings">Settings</Link>}
          </nav>
        )}
        {signedIn && (
          <button
            type="button"
            className="signout"
            onClick={() => {
              clearToken();
              qc.clear();
              void navigate({ to: '/sign-in', search: {} });
            }}
          >
            Sign out
          </button>
        )}
      </header>
      <main id="main" tabIndex={-1}>
        <Outlet />
      </main>
    </>
  );
}

const rootRoute = createRootRoute({ component: Layout });

/** Every page but sign-in needs a token: without one, sign in and come back. */
const requireToken = ({ location }: { location: { href: string } }): void => {
  if (getToken() === null) throw redirect({ to: '/sign-in', search: { next: location.href } });
};

const portfolioRoute = createRoute({ getParentRoute: () => rootRoute, path: '/', beforeLoad: requireToken, component: PortfolioPage });
const projectsRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/projects',
  beforeLoad: requireToken,
  validateSearch: (s: Record<string, unknown>): { q?: string } => ({ q: str(s['q']) }),
  component: ProjectsPage,
});
export const projectRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/projects/$name',
  beforeLoad: requireToken,
  validateSearch: (s: Record<string, unknown>): { version?: string } => ({ version: str(s['version']) }),
  component: ProjectPage,
});
export const vulnRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/vulnerabilities',
  beforeLoad: requireToken,
  validateSearch: (s: Record<string, unknown>): { id?: string } => ({ id: str(s['id']) }),
  component: VulnerabilityPage,
});
export const componentsRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/components',
  beforeLoad: requireToken,
  validateSearch: (s: Record<string, unknown>): { purl?: string; range?: string } => ({ purl: str(s['purl']), range: str(s['range']) }),
  component: ComponentsPage,
});
const incidentsRoute = createRoute({ getParentRoute: () => rootRoute, path: '/incidents', beforeLoad: requireToken, component: IncidentsPage });
export const incidentRoute = createRoute({ getParentRoute: () => rootRoute, path: '/incidents/$id', beforeLoad: requireToken, component: IncidentPage });
const settingsRoute = createRoute({ getParentRoute: () => rootRoute, path: '/settings', beforeLoad: requireToken, component: SettingsPage });
export const marketplaceRoute = createRoute({ getParentRoute: () => rootRoute, path: '/marketplace', beforeLoad: requireToken, validateSearch: (s: Record<string, unknown>): { skill?: string } => ({ skill: str(s['skill']) }), component: MarketplacePage });
export const signInRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/sign-in',
  validateSearch: (s: Record<string, unknown>): { next?: string } => ({ next: str(s['next']) }),
  component: SignInPage,
});

const routeTree = rootRoute.addChildren([portfolioRoute, projectsRoute, projectRoute, vulnRoute, componentsRoute, incidentsRoute, incidentRoute, marketplaceRoute, settingsRoute, signInRoute]);

export const router = createRouter({ routeTree, defaultNotFoundComponent: () => <p role="alert">No such page.</p> });

declare module '@tanstack/react-router' {
  interface Register {
    router: typeof router;
  }
}
