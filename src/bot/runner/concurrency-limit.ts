/**
 * At most `limit` tasks at once; the rest wait their turn in arrival order. Bounds the bot's
 * memory and its concurrent requests to GitHub when a burst of webhooks arrives.
 */
export function createConcurrencyLimit(limit: number) {
  let active = 0;
  const waiting: (() => void)[] = [];
  /** Tasks taken and not settled: running, pausing or waiting their turn. */
  let taken = 0;
  let stopping = false;
  let onSettled: (() => void) | undefined;

  async function run<T>(task: () => Promise<T>): Promise<T> {
    if (stopping) throw new BotStoppingError();
    taken += 1;
    try {
      if (active >= limit) await new Promise<void>((resolve) => waiting.push(resolve));
      active += 1;
      try {
        return await task();
      } finally {
        active -= 1;
        waiting.shift()?.();
      }
    } finally {
      taken -= 1;
      onSettled?.();
    }
  }

  /**
   * Takes no new task (they throw BotStoppingError) and waits up to `graceMs` for the ones
   * taken to settle. Resolves with how many had not.
   */
  function drain(graceMs: number): Promise<number> {
    stopping = true;
    return new Promise((resolve) => {
      const timer = setTimeout(() => finish(), graceMs);
      const finish = () => {
        clearTimeout(timer);
        onSettled = undefined;
        resolve(taken);
      };
      onSettled = () => {
        if (taken === 0) finish();
      };
      onSettled();
    });
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

  return Object.assign(run, { releasedWhile, activeTasks, drain });
}

/** A webhook or callback that arrives while the bot stops: unanswered, GitHub or the pipeline sends it again. */
export class BotStoppingError extends Error {
  constructor() {
    super("the bot is stopping: not taking new webhooks or callbacks");
    this.name = "BotStoppingError";
  }
}

export type ConcurrencyLimit = ReturnType<typeof createConcurrencyLimit>;
