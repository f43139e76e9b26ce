import { setTimeout as delay } from "node:timers/promises";

/**
 * Limits on the requests one installation sends to GitHub, for Octokit's throttling plugin,
 * which asks each of its groups (global, write, notifications, search, auth) for a limiter per
 * installation and schedules a job on it before every request, and runs every request as a job
 * of a retry scheduler. Bottleneck, the plugin's own, yields to the event loop with timers
 * several times a job: about 5 ms of waiting and 0.8 ms of CPU for every job, three to five
 * jobs a request, and a timer every 250 ms for each installation with a refilling write limit.
 * These start a job at once when the limits allow it and set a timer only when one must wait.
 */
export interface RequestLimits {
  /** Jobs of one key running at once. */
  maxConcurrent: number;
  /** Least time between the starts of two jobs of one key, ms. */
  minTime?: number;
  /** Jobs that may start at once before the refill paces them (a token bucket); unlimited when unset. */
  burst?: number;
  /** One token comes back every this many ms, up to `burst`. */
  refillEveryMs?: number;
}

/** What the throttling plugin passes with a job: retries go first and take no token. */
export interface JobOptions {
  /** Lower runs sooner; Bottleneck's default is 5, the plugin's retries use 0. */
  priority?: number;
  /** Tokens the job takes; 1 unless 0. */
  weight?: number;
}

interface Waiting {
  priority: number;
  weight: number;
  start: () => void;
}

/** The limits of one key (an installation), in the plugin's `schedule(options, fn, ...args)` shape. */
export class KeyLimiter {
  private running = 0;
  private lastStart = Number.NEGATIVE_INFINITY;
  private tokens: number;
  private refilledAt: number;
  private readonly queue: Waiting[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly limits: RequestLimits,
    private readonly now: () => number = Date.now,
    private readonly onIdle: () => void = () => {},
  ) {
    if (limits.burst !== undefined && !(limits.refillEveryMs! > 0)) throw new Error("a burst needs refillEveryMs > 0: the tokens would never come back");
    this.tokens = limits.burst ?? Number.POSITIVE_INFINITY;
    this.refilledAt = now();
  }

  schedule<T, A extends unknown[]>(options: JobOptions, job: (...args: A) => Promise<T>, ...args: A): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const waiting: Waiting = {
        priority: options.priority ?? 5,
        weight: options.weight ?? 1,
        start: () => {
          this.running += 1;
          let result: Promise<T>;
          try {
            result = job(...args);
          } catch (error) {
            result = Promise.reject(error);
          }
          // The place is free before the caller goes on.
          result.then(
            (value) => {
              this.finished();
              resolve(value);
            },
            (error: unknown) => {
              this.finished();
              reject(error);
            },
          );
        },
      };
      // Behind every job of the same or a higher priority (a lower number).
      const at = this.queue.findIndex((other) => other.priority > waiting.priority);
      this.queue.splice(at === -1 ? this.queue.length : at, 0, waiting);
      this.drain();
    });
  }

  /** Whether this key holds nothing a fresh limiter would not: it can be forgotten. */
  get idle(): boolean {
    this.refill();
    const rested = this.now() - this.lastStart >= (this.limits.minTime ?? 0);
    return this.running === 0 && this.queue.length === 0 && rested && this.tokens >= (this.limits.burst ?? Number.POSITIVE_INFINITY);
  }

  private finished(): void {
    this.running -= 1;
    this.drain();
  }

  private refill(): void {
    const { burst, refillEveryMs } = this.limits;
    if (burst === undefined || refillEveryMs === undefined) return;
    const now = this.now();
    const earned = Math.floor((now - this.refilledAt) / refillEveryMs);
    if (earned <= 0) return;
    this.tokens = Math.min(burst, this.tokens + earned);
    this.refilledAt = this.tokens === burst ? now : this.refilledAt + earned * refillEveryMs;
  }

  private drain(): void {
    // Worked out afresh on every change: a job just queued may go before the one the timer waits for.
    clearTimeout(this.timer);
    this.timer = undefined;
    while (this.queue.length > 0 && this.running < this.limits.maxConcurrent) {
      this.refill();
      const next = this.queue[0]!;
      const wait = Math.max(this.lastStart + (this.limits.minTime ?? 0) - this.now(), next.weight > this.tokens ? this.untilNextToken() : 0);
      if (wait > 0) {
        this.timer = setTimeout(() => this.drain(), wait);
        return;
      }
      this.queue.shift();
      this.tokens -= next.weight;
      this.lastStart = this.now();
      next.start();
    }
    if (this.idle) this.onIdle();
  }

  private untilNextToken(): number {
    return this.refilledAt + (this.limits.refillEveryMs ?? 0) - this.now();
  }
}

/** A limiter per key, in the shape of a Bottleneck.Group as the throttling plugin uses one. */
export class RequestLimiterGroup {
  private readonly limiters = new Map<string, KeyLimiter>();
  private created = 0;

  /** `sweepEvery`: new keys between two looks for idle ones (a key used once stays until then). */
  constructor(
    readonly limits: RequestLimits,
    private readonly now: () => number = Date.now,
    private readonly sweepEvery = 256,
  ) {}

  key(id = ""): KeyLimiter {
    let limiter = this.limiters.get(id);
    if (!limiter) {
      // An idle key is forgotten, so an app on thousands of installations keeps only the busy ones.
      this.created += 1;
      if (this.created % this.sweepEvery === 0) this.forgetIdle();
      limiter = new KeyLimiter(this.limits, this.now, () => this.limiters.delete(id));
      this.limiters.set(id, limiter);
    }
    return limiter;
  }

  /** Keys with something running, waiting, or not yet rested or refilled. */
  get size(): number {
    return this.limiters.size;
  }

  private forgetIdle(): void {
    for (const [id, limiter] of this.limiters) if (limiter.idle) this.limiters.delete(id);
  }
}

/** What the plugin's "failed" listener is given: the job's arguments and how often it was retried. */
export interface FailedJob<A extends unknown[]> {
  args: A;
  retryCount: number;
}

type FailedListener = (error: unknown, job: FailedJob<unknown[]>) => unknown;

/**
 * The plugin's retry scheduler (Bottleneck's "failed" event): every request runs through
 * `schedule`; when it fails, the plugin's listener decides, from GitHub's rate-limit headers,
 * whether to send it again and after how many ms (a number), or to give up (anything else).
 * One per client: the plugin adds its listener to each client's own.
 */
export class RetryScheduler {
  private listener: FailedListener | undefined;

  constructor(private readonly sleep: (ms: number) => Promise<unknown> = delay) {}

  on(event: string, listener: FailedListener): void {
    if (event !== "failed") throw new Error(`RetryScheduler has no "${event}" event`);
    this.listener = listener;
  }

  async schedule<T, A extends unknown[]>(job: (...args: A) => Promise<T>, ...args: A): Promise<T> {
    for (let retryCount = 0; ; retryCount += 1) {
      try {
        return await job(...args);
      } catch (error) {
        const retryInMs = await this.listener?.(error, { args, retryCount });
        if (typeof retryInMs !== "number") throw error;
        await this.sleep(retryInMs);
      }
    }
  }
}
