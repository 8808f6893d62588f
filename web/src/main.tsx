import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { RouterProvider } from '@tanstack/react-router';
import { ApiError, setUnauthorizedHandler } from './api/client';
import { router } from './router';
import './styles.css';

const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      // the last data stays on screen (with its age) while a refetch runs or fails
      staleTime: 30_000,
      refetchInterval: 60_000,
      retry: (n, e) => !(e instanceof ApiError && e.status >= 400 && e.status < 500) && n < 3,
    },
  },
});

setUnauthorizedHandler(() => {
  queryClient.clear();
  const here = router.state.location.href;
  if (!here.startsWith('/sign-in')) void router.navigate({ to: '/sign-in', search: { next: here } });
});

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <QueryClientProvider client={queryClient}>
      <RouterProvider router={router} />
    </QueryClientProvider>
  </StrictMode>,
);
