import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { KeyLimiter, RequestLimiterGroup, RetryScheduler } from "../../src/bot/github/request-limiter.js";

/** A job that stays running until finish() is called; records when it started (fake time). */
function heldJob(started: Record<string, number>, name: string) {
  let finish: () => void = () => {};
  const done = new Promise<void>((resolve) => (finish = resolve));
  return {
    job: async () => {
      started[name] = Date.now();
      await done;
      return name;
    },
    finish: () => finish(),
  };
}

const quickJob = (started: Record<string, number>, name: string) => async () => {
  started[name] = Date.now();
  return name;
};

describe("the per-installation request limits (request-limiter.ts)", () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 1_000_000 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("starts jobs at once up to maxConcurrent; the next starts when one finishes", async () => {
    const limiter = new KeyLimiter({ maxConcurrent: 2 });
    const started: Record<string, number> = {};
    const a = heldJob(started, "a");
    const b = heldJob(started, "b");
    const c = heldJob(started, "c");
    const results = [a, b, c].map((held) => limiter.schedule({}, held.job));
    await vi.advanceTimersByTimeAsync(0);
    expect(Object.keys(started)).toEqual(["a", "b"]);

    a.finish();
    await expect(results[0]).resolves.toBe("a");
    await vi.advanceTimersByTimeAsync(0);
    expect(Object.keys(started)).toEqual(["a", "b", "c"]);
    b.finish();
    c.finish();
    await expect(Promise.all(results)).resolves.toEqual(["a", "b", "c"]);
  });

  it("spaces the starts of one key by minTime, and only when it has to wait", async () => {
    const limiter = new KeyLimiter({ maxConcurrent: 1, minTime: 3_000 });
    const started: Record<string, number> = {};
    const first = limiter.schedule({}, quickJob(started, "first"));
    const second = limiter.schedule({}, quickJob(started, "second"));
    await first;
    expect(started).toEqual({ first: 1_000_000 });
    await vi.advanceTimersByTimeAsync(2_999);
    expect(started.second).toBeUndefined();
    await vi.advanceTimersByTimeAsync(1);
    await second;
    expect(started.second).toBe(1_003_000);
    // Rested: a job long after starts at once, with no timer.
    await vi.advanceTimersByTimeAsync(10_000);
    await limiter.schedule({}, quickJob(started, "later"));
    expect(started.later).toBe(1_013_000);
  });

  it("lets a burst go at once, then one a refill; a retry goes first and takes no token", async () => {
    const limiter = new KeyLimiter({ maxConcurrent: 10, burst: 3, refillEveryMs: 1_000 });
    const started: Record<string, number> = {};
    const jobs = ["w1", "w2", "w3", "w4", "w5"].map((name) => limiter.schedule({}, quickJob(started, name)));
    await vi.advanceTimersByTimeAsync(0);
    expect(started).toEqual({ w1: 1_000_000, w2: 1_000_000, w3: 1_000_000 });

    // The plugin's retries: priority 0, weight 0. Ahead of w4 and w5, and without waiting for a token.
    const retry = limiter.schedule({ priority: 0, weight: 0 }, quickJob(started, "retry"));
    await vi.advanceTimersByTimeAsync(0);
    expect(started.retry).toBe(1_000_000);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(started.w4).toBe(1_001_000);
    expect(started.w5).toBeUndefined();
    await vi.advanceTimersByTimeAsync(1_000);
    expect(started.w5).toBe(1_002_000);
    await Promise.all([...jobs, retry]);
  });

  it("puts a job of a higher priority before the waiting ones of a lower", async () => {
    const limiter = new KeyLimiter({ maxConcurrent: 1 });
    const order: string[] = [];
    const held = heldJob({}, "running");
    const running = limiter.schedule({}, held.job);
    const waiting = [
      limiter.schedule({}, async () => order.push("normal")),
      limiter.schedule({ priority: 9 }, async () => order.push("low")),
      limiter.schedule({ priority: 0 }, async () => order.push("urgent")),
    ];
    held.finish();
    await Promise.all([running, ...waiting]);
    expect(order).toEqual(["urgent", "normal", "low"]);
  });

  it("passes a job's failure to its caller, thrown or rejected, and goes on with the next", async () => {
    const limiter = new KeyLimiter({ maxConcurrent: 1 });
    const thrown = limiter.schedule({}, () => {
      throw new Error("thrown at once");
    });
    const rejected = limiter.schedule({}, async () => Promise.reject(new Error("rejected later")));
    const fine = limiter.schedule({}, async (a: number, b: number) => a + b, 2, 3);
    await expect(thrown).rejects.toThrow("thrown at once");
    await expect(rejected).rejects.toThrow("rejected later");
    await expect(fine).resolves.toBe(5);
  });

  it("forgets an installation once it has nothing running, waiting or to rest from", async () => {
    const group = new RequestLimiterGroup({ maxConcurrent: 4, burst: 2, refillEveryMs: 1_000 });
    await group.key("1").schedule({}, async () => "done");
    await group.key("2").schedule({}, async () => "done");
    // Each took a token: a fresh limiter would have one more, so they are kept.
    expect(group.size).toBe(2);
    await vi.advanceTimersByTimeAsync(1_000);
    // The next job of each finds the token back after it finishes, and its key is forgotten.
    await group.key("1").schedule({ weight: 0 }, async () => "done");
    await group.key("2").schedule({ weight: 0 }, async () => "done");
    expect(group.size).toBe(0);
  });

  it("forgets an installation that wrote once and not again when it next looks for idle ones", async () => {
    const group = new RequestLimiterGroup({ maxConcurrent: 4, burst: 2, refillEveryMs: 1_000 }, Date.now, 3);
    await group.key("once").schedule({}, async () => "done");
    await group.key("busy").schedule({}, async () => "done");
    expect(group.size).toBe(2);
    await vi.advanceTimersByTimeAsync(1_000);
    const held = heldJob({}, "busy");
    const busy = group.key("busy").schedule({}, held.job);
    // The third new key: "once" has its token back and is forgotten; "busy" is running.
    group.key("new");
    expect(group.size).toBe(2);
    held.finish();
    await busy;
  });

  it("refuses a burst that would never be refilled", () => {
    expect(() => new KeyLimiter({ maxConcurrent: 1, burst: 5 })).toThrow(/burst needs refillEveryMs > 0/);
  });
});

describe("the throttling plugin's retry scheduler (RetryScheduler)", () => {
  it("sends a job again after the wait its failed listener gives, with the job's arguments and count", async () => {
    const waits: number[] = [];
    const scheduler = new RetryScheduler(async (ms) => {
      waits.push(ms);
    });
    const seen: { retryCount: number; args: unknown[] }[] = [];
    scheduler.on("failed", (_error, job) => {
      seen.push({ retryCount: job.retryCount, args: job.args });
      return job.retryCount < 2 ? 1_000 * (job.retryCount + 1) : undefined;
    });
    let attempts = 0;
    const result = scheduler.schedule(async (path: string) => {
      attempts += 1;
      if (attempts < 3) throw new Error(`rate limited on ${path}`);
      return `sent ${path}`;
    }, "/repos/o/r/check-runs");
    await expect(result).resolves.toBe("sent /repos/o/r/check-runs");
    expect(waits).toEqual([1_000, 2_000]);
    expect(seen).toEqual([
      { retryCount: 0, args: ["/repos/o/r/check-runs"] },
      { retryCount: 1, args: ["/repos/o/r/check-runs"] },
    ]);
  });

  it("gives the error to the caller when the listener does not ask for a retry, or when there is none", async () => {
    const scheduler = new RetryScheduler(async () => {});
    await expect(scheduler.schedule(async () => Promise.reject(new Error("no listener")))).rejects.toThrow("no listener");
    scheduler.on("failed", async () => undefined);
    await expect(scheduler.schedule(async () => Promise.reject(new Error("not retried")))).rejects.toThrow("not retried");
    expect(() => scheduler.on("done", () => 0)).toThrow(/no "done" event/);
  });
});
