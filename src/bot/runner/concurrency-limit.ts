/**
 * At most `limit` tasks at once; the rest wait their turn in arrival order. Bounds the bot's
 * memory and its concurrent requests to GitHub when a burst of webhooks arrives.
 */
export function createConcurrencyLimit(limit: number) {
  let active = 0;
  const waiting: (() => void)[] = [];

  async function run<T>(task: () => Promise<T>): Promise<T> {
    if (active >= limit) await new Promise<void>((resolve) => waiting.push(resolve));
    active += 1;
    try {
      return await task();
    } finally {
      active -= 1;
      waiting.shift()?.();
    }
  }

  /**
   * Gives the calling task's slot to the next in line while `pause` runs: a fork command's 3 s
   * grace, or CircleCI's Retry-After (minutes in a rate-limit storm, which would otherwise let
   * sleeping commands hold every slot and stop callbacks and destroys). The slot is taken back
   * as soon as the pause ends, even above the limit: the task may hold an environment's lock
   * that tasks in the other slots are waiting for. Only for code running inside `run`.
   */
  async function releasedWhile<T>(pause: () => Promise<T>): Promise<T> {
    active -= 1;
    waiting.shift()?.();
    try {
      return await pause();
    } finally {
      active += 1;
    }
  }

  /** Tasks holding a slot now. */
  const activeTasks = () => active;

  return Object.assign(run, { releasedWhile, activeTasks });
}

export type ConcurrencyLimit = ReturnType<typeof createConcurrencyLimit>;
