import { describe, expect, it } from "vitest";
import { BotStoppingError, createConcurrencyLimit } from "../../src/bot/runner/concurrency-limit.js";

/** A promise the test settles by hand. */
function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { opened, open };
}

const turn = () => new Promise((resolve) => setImmediate(resolve));

describe("the webhook slots", () => {
  it("run at most `limit` tasks, the rest in arrival order", async () => {
    const limit = createConcurrencyLimit(2);
    const gates = [gate(), gate(), gate(), gate()];
    const started: number[] = [];
    const tasks = gates.map((each, index) => limit(async () => {
      started.push(index);
      await each.opened;
    }));
    await turn();
    expect(started).toEqual([0, 1]);
    gates[1]!.open();
    await turn();
    expect(started).toEqual([0, 1, 2]);
    for (const each of gates) each.open();
    await Promise.all(tasks);
    expect(started).toEqual([0, 1, 2, 3]);
    expect(limit.activeTasks()).toBe(0);
  });

  it("give a waiting task's slot to the next in line while it waits, and take it back when the wait ends", async () => {
    const limit = createConcurrencyLimit(1);
    const retryAfter = gate();
    const callbackRunning = gate();
    const events: string[] = [];
    const command = limit(async () => {
      events.push("command asks CircleCI: 429");
      await limit.releasedWhile(() => retryAfter.opened);
      events.push("command retries");
    });
    const callback = limit(async () => {
      events.push("callback runs");
      await callbackRunning.opened;
      events.push("callback done");
    });
    await turn();
    expect(events).toEqual(["command asks CircleCI: 429", "callback runs"]);
    expect(limit.activeTasks()).toBe(1);

    // The retry goes on at once, although the callback still holds the one slot: the command may
    // hold a lock the callback needs.
    retryAfter.open();
    await command;
    expect(events).toEqual(["command asks CircleCI: 429", "callback runs", "command retries"]);
    callbackRunning.open();
    await callback;
    expect(limit.activeTasks()).toBe(0);
  });

  it("drain: waits for the running, pausing and queued tasks, and refuses new ones", async () => {
    const limit = createConcurrencyLimit(1);
    const running = gate();
    const pausing = gate();
    const finished: string[] = [];
    const tasks = [
      limit(async () => {
        await running.opened;
        finished.push("running");
      }),
      limit(async () => {
        await limit.releasedWhile(() => pausing.opened);
        finished.push("pausing");
      }),
      limit(async () => finished.push("queued")),
    ];
    await turn();
    let left: number | undefined;
    const drained = limit.drain(60_000).then((count) => (left = count));
    await expect(limit(async () => "new")).rejects.toThrow(BotStoppingError);

    running.open();
    await turn();
    expect(left).toBeUndefined();
    pausing.open();
    await Promise.all([...tasks, drained]);
    expect(left).toBe(0);
    expect(finished.sort()).toEqual(["pausing", "queued", "running"]);
  });

  it("drain: after the grace, reports how many tasks have not settled", async () => {
    const limit = createConcurrencyLimit(2);
    const never = gate();
    void limit(() => never.opened);
    void limit(() => never.opened);
    void limit(() => never.opened);
    expect(await limit.drain(50)).toBe(3);
    never.open();
  });
});
