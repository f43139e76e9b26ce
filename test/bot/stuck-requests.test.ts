import nock from "nock";
import { describe, expect, it, vi } from "vitest";
import { ENVIRONMENT_CHECK_NAME } from "../../src/bot/github/check-runs.js";
import { recoverStuckRequests, STUCK_REQUEST_MS } from "../../src/bot/runner/recover-stuck-requests.js";
import { openBotStore } from "../../src/bot/store/bot-store.js";
import { createTestBot, ENVIRONMENT, HEAD_SHA, installationToken, START, useNockGuards } from "./support/bot-harness.js";
import { createChecks, deploymentStatus, firstStickyComment, updateCheck, updateStickyComment } from "./support/github-mocks.js";
import { environmentRecord, seedEnvironment } from "./support/records.js";

useNockGuards();

/** What the bot leaves when it dies after recording a test and before recording its pipeline. */
const STUCK = {
  state: "requested",
  phase: null,
  pipeline: null,
  liveSince: null,
  airflowUrl: null,
  environmentCheck: { id: 100, status: "queued", headSha: HEAD_SHA },
  deploymentId: 700,
  deploymentState: "queued",
  commentId: 800,
} as const;

describe("a test stuck in requested after a crash", () => {
  it("is ended when the bot starts: failed with the reason on its checks, deployment and comment, and no longer counts as live", async () => {
    const clock = { now: START - STUCK_REQUEST_MS - 60_000 };
    const store = openBotStore({ path: ":memory:", now: () => clock.now });
    seedEnvironment(store, STUCK);
    store.putDagCheck({ environmentId: ENVIRONMENT, headSha: HEAD_SHA, dagId: "sales_daily", checkRunId: 101, status: "queued" });
    expect(store.countLiveEnvironments("Codertocat/Hello-World", "another-pr")).toBe(1);
    clock.now = START;

    const environmentCheck: any[] = [];
    const dagCheck: any[] = [];
    const deployment: any[] = [];
    const comments: string[] = [];
    installationToken();
    updateCheck(100, environmentCheck);
    updateCheck(101, dagCheck);
    deploymentStatus(deployment);
    updateStickyComment(comments);

    await createTestBot({ store }); // the restart
    await vi.waitFor(() => expect(nock.pendingMocks()).toEqual([]), { timeout: 5_000 });

    const record = store.getEnvironment(ENVIRONMENT)!;
    expect(record.state).toBe("failed");
    expect(record.failure).toContain("before it recorded a CircleCI pipeline");
    expect(store.countLiveEnvironments("Codertocat/Hello-World", "another-pr")).toBe(0);
    expect(environmentCheck[0]).toMatchObject({ status: "completed", conclusion: "failure" });
    expect(environmentCheck[0].output.summary).toContain("Run /shadow test again");
    expect(dagCheck[0]).toMatchObject({ status: "completed" });
    expect(deployment[0]).toMatchObject({ state: "failure" });
    expect(comments[0]).toContain("before it recorded a CircleCI pipeline");
  });

  it("leaves a recent request and one with a pipeline alone, and fails a check it never recorded with a new one", async () => {
    const bot = await createTestBot();
    bot.clock.now = START - STUCK_REQUEST_MS + 1_000;
    seedEnvironment(bot.store, { ...STUCK, environmentCheck: null, deploymentId: null, deploymentState: null, commentId: null });
    seedEnvironment(bot.store, { ...STUCK, pullNumber: 3, pipeline: environmentRecord({ pullNumber: 3 }).pipeline });
    bot.clock.now = START;
    expect(await recoverStuckRequests(bot.services)).toEqual([]);
    expect(bot.store.getEnvironment(ENVIRONMENT)?.state).toBe("requested");

    bot.clock.now = START + 2_000;
    const checks: any[] = [];
    installationToken();
    createChecks(checks, 1);
    firstStickyComment([], 800, undefined, { searched: true });
    expect(await recoverStuckRequests(bot.services)).toEqual([ENVIRONMENT]);
    expect(checks[0]).toMatchObject({ name: ENVIRONMENT_CHECK_NAME, head_sha: HEAD_SHA, status: "completed", conclusion: "failure" });
    expect(bot.store.getEnvironment(ENVIRONMENT)).toMatchObject({ state: "failed", environmentCheck: { id: 100, status: "completed" }, commentId: 800 });
  });
});
