import { mkdtempSync, rmSync } from "node:fs";
import Database from "better-sqlite3";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { openBotStore } from "../../src/bot/store/bot-store.js";
import { environmentRecord } from "./support/records.js";

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe("the bot's SQLite store", () => {
  it("keeps environments, pipelines, DAG checks and handled deliveries across a restart", () => {
    const dir = mkdtempSync(join(tmpdir(), "shadowops-bot-"));
    dirs.push(dir);
    const path = join(dir, "nested", "bot.sqlite");
    const record = environmentRecord();
    const first = openBotStore({ path });
    first.putEnvironment(record);
    first.putPipeline(record.pipeline!);
    first.putDagCheck({ environmentId: record.id, headSha: record.headSha, dagId: "sales_daily", checkRunId: 101, status: "queued" });
    expect(first.claimDelivery("github:abc")).toBe(true);
    first.completeDelivery("github:abc");
    first.close();

    const second = openBotStore({ path });
    expect(second.getEnvironment(record.id)).toMatchObject({ ...record, updatedAt: expect.any(Number) });
    expect(second.getPipeline(record.pipeline!.id)).toEqual(record.pipeline);
    expect(second.openDagChecks(record.id)).toHaveLength(1);
    expect(second.claimDelivery("github:abc")).toBe(false);
    second.close();
  });

  it("counts live environments of a repository, case-insensitively, without the one asking", () => {
    const store = openBotStore({ path: ":memory:" });
    store.putEnvironment(environmentRecord({ pullNumber: 1 }));
    store.putEnvironment(environmentRecord({ pullNumber: 2, owner: "codertocat" }));
    store.putEnvironment(environmentRecord({ pullNumber: 3, state: "destroyed" }));
    store.putEnvironment(environmentRecord({ pullNumber: 4, state: "failed", pipeline: null }));
    store.putEnvironment(environmentRecord({ pullNumber: 5, state: "requested", pipeline: null }));
    expect(store.countLiveEnvironments("Codertocat/Hello-World", "none")).toBe(3);
    expect(store.countLiveEnvironments("codertocat/hello-world", environmentRecord({ pullNumber: 1 }).id)).toBe(2);
  });

  it("releases, when asked at startup, only the deliveries claimed and never completed", () => {
    const store = openBotStore({ path: ":memory:" });
    store.claimDelivery("github:finished");
    store.completeDelivery("github:finished");
    store.claimDelivery("github:cut-off");
    store.claimDelivery("callback-signature:abc", { done: true });

    expect(store.releaseUnfinishedDeliveries()).toEqual(["github:cut-off"]);
    expect(store.claimDelivery("github:cut-off")).toBe(true);
    expect(store.claimDelivery("github:finished")).toBe(false);
    // A signature seen once is refused for good, even across a restart.
    expect(store.claimDelivery("callback-signature:abc")).toBe(false);
  });

  it("counts the deliveries of a database made before unfinished ones were told apart as handled", () => {
    const dir = mkdtempSync(join(tmpdir(), "shadowops-bot-"));
    dirs.push(dir);
    const path = join(dir, "bot.sqlite");
    const old = new Database(path);
    old.exec("CREATE TABLE deliveries (id TEXT PRIMARY KEY, received_at INTEGER NOT NULL)");
    old.prepare("INSERT INTO deliveries (id, received_at) VALUES (?, ?)").run("github:before-the-upgrade", Date.now());
    old.close();

    const store = openBotStore({ path });
    expect(store.releaseUnfinishedDeliveries()).toEqual([]);
    expect(store.claimDelivery("github:before-the-upgrade")).toBe(false);
    store.claimDelivery("github:after-the-upgrade");
    expect(store.releaseUnfinishedDeliveries()).toEqual(["github:after-the-upgrade"]);
    store.close();
  });

  it("forgets a released delivery so a redelivery can try again, and old ones after a week", () => {
    let now = 0;
    const path = join(mkdtempSync(join(tmpdir(), "shadowops-bot-")), "bot.sqlite");
    dirs.push(join(path, ".."));
    const store = openBotStore({ path, now: () => now });
    expect(store.claimDelivery("x")).toBe(true);
    store.releaseDelivery("x");
    expect(store.claimDelivery("x")).toBe(true);
    store.close();
    now = 8 * 24 * 3_600_000;
    const reopened = openBotStore({ path, now: () => now });
    expect(reopened.claimDelivery("x")).toBe(true);
    reopened.close();
  });
});
