/**
 * One task at a time per key (an environment id), in arrival order: a comment and a label
 * event for the same PR, or two callbacks, never interleave their reads and writes.
 */
export function createKeyedLock() {
  const tails = new Map<string, Promise<unknown>>();
  return {
    async run<T>(key: string, task: () => Promise<T>): Promise<T> {
      const previous = tails.get(key) ?? Promise.resolve();
      const result = previous.then(task, task);
      const tail = result.catch(() => undefined);
      tails.set(key, tail);
      try {
        return await result;
      } finally {
        if (tails.get(key) === tail) tails.delete(key);
      }
    },
  };
}

export type KeyedLock = ReturnType<typeof createKeyedLock>;
