/**
 * Delay schedule and clock for the polling waiters: exponential backoff with a cap, reset when
 * something changed (so progress is seen quickly), and an injectable clock for tests.
 */

export interface BackoffOptions {
  /** First delay in milliseconds. */
  initialDelayMs?: number;
  /** Upper bound of one delay in milliseconds. */
  maxDelayMs?: number;
  /** Growth factor between consecutive delays (default 1.5). */
  factor?: number;
}

export class Backoff {
  private readonly initial: number;
  private readonly max: number;
  private readonly factor: number;
  private current: number;

  constructor(options: BackoffOptions = {}, defaults: Required<BackoffOptions>) {
    this.initial = Math.max(0, options.initialDelayMs ?? defaults.initialDelayMs);
    this.max = Math.max(this.initial, options.maxDelayMs ?? defaults.maxDelayMs);
    this.factor = Math.max(1, options.factor ?? defaults.factor);
    this.current = this.initial;
  }

  /** The delay to wait now; the following call returns a longer one, up to the cap. */
  next(): number {
    const delay = this.current;
    this.current = Math.min(this.max, Math.max(1, this.current) * this.factor);
    return Math.round(delay);
  }

  reset(): void {
    this.current = this.initial;
  }
}

export interface Clock {
  now(): number;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve, reject) => {
      if (signal?.aborted) {
        reject(signal.reason);
        return;
      }
      const onAbort = (): void => {
        clearTimeout(timer);
        reject(signal?.reason);
      };
      const timer = setTimeout(() => {
        signal?.removeEventListener("abort", onAbort);
        resolve();
      }, ms);
      signal?.addEventListener("abort", onAbort, { once: true });
    }),
};
