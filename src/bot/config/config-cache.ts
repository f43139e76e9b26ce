/**
 * `.github/shadowops.yml` per repository, kept between commands. Reading it through Probot's
 * config plugin is a GitHub request plus YAML parsing on every command (and two requests when
 * the repository has none and the organization's `.github` repository is tried), which made it
 * the one call per command whose answer almost never changes.
 *
 * It changes only by a push to a default branch: the bot subscribes to `push` and forgets every
 * config of that owner on such a push (a config may come from the owner's `.github` repository
 * or extend another repository, so the repository pushed to is not the only one affected). The
 * next command reads it again. A push webhook GitHub never delivers (the bot was down: then the
 * cache is empty anyway; or a lost delivery while it runs) is covered by `maxAgeMs`.
 */
export interface ConfigCacheParams {
  /** Epoch milliseconds. */
  now: () => number;
  /** A cached config is read again after this long even without a push. */
  maxAgeMs?: number;
  /** Repositories remembered; the oldest are dropped beyond this. */
  maxEntries?: number;
}

export const CONFIG_MAX_AGE_MS = 10 * 60_000;

interface Entry {
  value: unknown;
  readAt: number;
}

export function createConfigCache({ now, maxAgeMs = CONFIG_MAX_AGE_MS, maxEntries = 5_000 }: ConfigCacheParams) {
  const entries = new Map<string, Entry>();
  /** Reads under way, shared by the commands that arrive meanwhile. */
  const reading = new Map<string, Promise<unknown>>();
  /** Bumped per owner on invalidation: a read that started before a push is not kept. */
  const generations = new Map<string, number>();

  const keyOf = (owner: string, repo: string) => `${owner}/${repo}`.toLowerCase();
  const ownerOf = (key: string) => key.slice(0, key.indexOf("/"));
  const generation = (owner: string) => generations.get(owner) ?? 0;

  return {
    /**
     * The raw config (what context.config returned) for the repository, read with `read` when
     * not cached or too old. A read that fails is not remembered: the next command tries again.
     */
    async get(owner: string, repo: string, read: () => Promise<unknown>): Promise<unknown> {
      const key = keyOf(owner, repo);
      const cached = entries.get(key);
      if (cached && now() - cached.readAt < maxAgeMs) return cached.value;
      const pending = reading.get(key);
      if (pending) return pending;
      const startedIn = generation(ownerOf(key));
      const readAt = now();
      const promise = read().then((value) => {
        if (generation(ownerOf(key)) === startedIn) {
          entries.delete(key);
          entries.set(key, { value, readAt });
          if (entries.size > maxEntries) entries.delete(entries.keys().next().value as string);
        }
        return value;
      });
      reading.set(key, promise);
      try {
        return await promise;
      } finally {
        if (reading.get(key) === promise) reading.delete(key);
      }
    },
    /** A push to a default branch of one of the owner's repositories: its configs may have changed. */
    invalidateOwner(owner: string): void {
      const prefix = `${owner.toLowerCase()}/`;
      generations.set(owner.toLowerCase(), generation(owner.toLowerCase()) + 1);
      for (const key of [...entries.keys(), ...reading.keys()]) {
        if (key.startsWith(prefix)) {
          entries.delete(key);
          reading.delete(key);
        }
      }
    },
    size(): number {
      return entries.size;
    },
  };
}

export type ConfigCache = ReturnType<typeof createConfigCache>;
