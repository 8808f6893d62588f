/** Test helper: run `fn` on the advisory store in `home`, closed afterwards. */
import { AdvisoryStore } from '../advisories/store.js';

export function withStore<T>(home: string, fn: (s: AdvisoryStore) => T): T {
  const s = AdvisoryStore.open(home);
  try {
    return fn(s);
  } finally {
    s.close();
  }
}
