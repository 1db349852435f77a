import type { Store } from '../../src/store/index.ts';

/** Repositories of a store that a {@link flakyStore} can make fail. */
type RepoName = 'inbox' | 'outbox' | 'integrations' | 'notifications' | 'messages';

/** A failure plan: the next `times` calls of `repo.method` reject with a database-like error. */
export interface Blip {
  repo: RepoName;
  method: string;
  times: number;
  /** Calls that were made to reject so far. */
  rejected: number;
}

/**
 * Wraps a real store so that the next `times` calls of one repository method reject (a database
 * blip), everywhere the store reaches it: on the store itself and inside its transactions. Every
 * other call goes to the real store. Returns the wrapped store and the blip, whose `times` can be
 * raised later to start another blip.
 */
export function flakyStore(store: Store, repo: RepoName, method: string, times = 1): { store: Store; blip: Blip } {
  const blip: Blip = { repo, method, times, rejected: 0 };
  const wrap = (s: Store): Store => {
    const real = s[repo] as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>;
    const flaky = Object.create(real) as typeof real;
    flaky[method] = async (...args: unknown[]) => {
      if (blip.rejected < blip.times) {
        blip.rejected++;
        throw new Error(`database blip in ${repo}.${method}: connection reset`);
      }
      return real[method].apply(real, args);
    };
    return { ...s, [repo]: flaky, transaction: (fn) => s.transaction((tx) => fn(wrap(tx))) } as Store;
  };
  return { store: wrap(store), blip };
}
