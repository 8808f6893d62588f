import { useQuery } from '@tanstack/react-query';
import { apiGet, getToken } from '../api/client';

/**
 * Whether the token is an admin's: the token list answers only an admin token (others get the
 * API's 403). Asked once per sign-in; Settings and its link depend on it.
 */
export function useIsAdmin() {
  return useQuery({
    queryKey: ['is-admin'],
    queryFn: () => apiGet<unknown>('/api/v1/tokens').then(() => true),
    enabled: getToken() !== null,
    retry: false,
    staleTime: Infinity,
    refetchInterval: false,
  });
}
