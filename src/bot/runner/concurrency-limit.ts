/**
 * At most `limit` tasks at once; the rest wait their turn in arrival order. Bounds the bot's
 * memory and its concurrent requests to GitHub when a burst of webhooks arrives.
 */
export function createConcurrencyLimit(limit: number) {
  let active = 0;
  const waiting: (() => void)[] = [];
  return async function run<T>(task: () => Promise<T>): Promise<T> {
    if (active >= limit) await new Promise<void>((resolve) => waiting.push(resolve));
    active += 1;
    try {
      return await task();
    } finally {
      active -= 1;
      waiting.shift()?.();
    }
  };
}

export type ConcurrencyLimit = ReturnType<typeof createConcurrencyLimit>;
