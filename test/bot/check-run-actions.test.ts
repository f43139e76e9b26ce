import { describe, expect, it } from "vitest";
import { createTestBot, ENVIRONMENT, HEAD_SHA, installationToken, START, useNockGuards } from "./support/bot-harness.js";
import { triggerOAuthPipeline } from "./support/circleci-mocks.js";
import {
  checkSuiteRuns,
  configFile,
  createChecks,
  createDeployment,
  permission,
  pullRequest,
  replyComment,
  updateStickyComment,
} from "./support/github-mocks.js";
import { seedEnvironment } from "./support/records.js";
import { checkRunAction, checkRunRerequested, checkSuiteRerequested, webhookExample } from "./support/webhook-examples.js";

useNockGuards();

const H = 3_600_000;

/**
 * The requests of a re-test of the seeded environment on PR #2 (whose head has moved on to
 * c…c), asked for by Codertocat with `role`; `before` mocks what comes first (a suite's runs).
 * Returns the captured trigger and check bodies.
 */
function expectRetest(role: "admin" | "maintain" | "write", pipelineId: string, before: () => void = () => {}): { triggers: any[]; checks: any[] } {
  const triggers: any[] = [];
  const checks: any[] = [];
  installationToken();
  before();
  configFile(null);
  permission("Codertocat", role);
  pullRequest({ headSha: "c".repeat(40) });
  createChecks(checks, 2);
  createDeployment([]);
  triggerOAuthPipeline(triggers, { body: { id: pipelineId, number: 52 } });
  updateStickyComment([]);
  return { triggers, checks };
}

describe("check run buttons", () => {
  it("Destroy starts the destroy pipeline", async () => {
    const bot = await createTestBot();
    seedEnvironment(bot.store, { state: "passed" });
    const triggers: any[] = [];
    installationToken();
    configFile(null);
    permission("Codertocat", "write");
    pullRequest();
    triggerOAuthPipeline(triggers, { body: { id: "d", number: 50 } });
    updateStickyComment([]);
    await bot.receive("check_run", checkRunAction("destroy", ENVIRONMENT, HEAD_SHA));
    expect(triggers[0].parameters.shadowops_action).toBe("destroy");
    expect(bot.store.getEnvironment(ENVIRONMENT)?.state).toBe("destroying");
  });

  it("Extend adds the TTL, capped at ttl.max from now, and says so", async () => {
    const bot = await createTestBot();
    seedEnvironment(bot.store, { state: "passed", ttlMs: 4 * H, expiresAt: START + 4 * H });
    const triggers: any[] = [];
    const replies: string[] = [];
    installationToken();
    configFile("ttl:\n  max: 6h\n");
    permission("Codertocat", "write");
    pullRequest();
    triggerOAuthPipeline(triggers, { body: { id: "e", number: 51 } });
    updateStickyComment([]);
    replyComment(replies);
    await bot.receive("check_run", checkRunAction("extend", ENVIRONMENT, HEAD_SHA));
    expect(triggers[0].parameters).toMatchObject({ shadowops_action: "extend", shadowops_ttl: "6h" });
    expect(bot.store.getEnvironment(ENVIRONMENT)?.expiresAt).toBe(START + 6 * H);
    expect(replies[0]).toContain("Extended only up to");
  });

  it("Re-run tests the commit of the clicked check, not the PR's newest head", async () => {
    const bot = await createTestBot();
    const clicked = "b".repeat(40);
    seedEnvironment(bot.store, { state: "failed" });
    const { triggers, checks } = expectRetest("admin", "r");
    await bot.receive("check_run", checkRunAction("rerun", ENVIRONMENT, clicked));
    expect(triggers[0].parameters).toMatchObject({ shadowops_action: "test", shadowops_commit: clicked, shadowops_dag: "sales_daily" });
    expect(checks.every((check) => check.head_sha === clicked)).toBe(true);
  });

  it("GitHub's own Re-run on one check (check_run.rerequested) re-tests that check's commit", async () => {
    const bot = await createTestBot();
    const clicked = "b".repeat(40);
    seedEnvironment(bot.store, { state: "failed" });
    const { triggers, checks } = expectRetest("write", "rr");
    await bot.receive("check_run", checkRunRerequested(ENVIRONMENT, clicked));
    expect(triggers).toHaveLength(1);
    expect(triggers[0].parameters).toMatchObject({ shadowops_action: "test", shadowops_commit: clicked });
    expect(checks.map((check) => [check.name, check.head_sha, check.status])).toEqual([
      ["ShadowOps / environment", clicked, "queued"],
      ["ShadowOps / dag sales_daily", clicked, "queued"],
    ]);
  });

  it("GitHub's Re-run all checks (check_suite.rerequested) re-tests the suite's commit in the environment its checks name", async () => {
    const bot = await createTestBot();
    const suiteCommit = "d".repeat(40);
    seedEnvironment(bot.store, { state: "passed" });
    const { triggers, checks } = expectRetest("maintain", "rs", () => checkSuiteRuns(4_242, [null, ENVIRONMENT]));
    await bot.receive("check_suite", checkSuiteRerequested(4_242, suiteCommit));
    expect(triggers).toHaveLength(1);
    expect(triggers[0].parameters).toMatchObject({ shadowops_action: "test", shadowops_environment: ENVIRONMENT, shadowops_commit: suiteCommit });
    expect(checks.every((check) => check.head_sha === suiteCommit)).toBe(true);
    expect(bot.store.getEnvironment(ENVIRONMENT)).toMatchObject({ headSha: suiteCommit, requestedBy: "Codertocat", pipeline: { id: "rs" } });
  });

  it("refuses Re-run all checks by someone without write access, and says why", async () => {
    const bot = await createTestBot();
    seedEnvironment(bot.store, { state: "passed" });
    const replies: string[] = [];
    installationToken();
    checkSuiteRuns(4_243, [ENVIRONMENT]);
    configFile(null);
    permission("visitor", "read");
    pullRequest();
    replyComment(replies);
    await bot.receive("check_suite", checkSuiteRerequested(4_243, HEAD_SHA, "visitor"));
    expect(replies).toHaveLength(1);
    expect(replies[0]).toContain("visitor has read");
    expect(bot.store.getEnvironment(ENVIRONMENT)?.state).toBe("passed");
  });

  it("ignores a suite whose checks name no environment it knows, and the suite events of every push", async () => {
    const bot = await createTestBot();
    installationToken();
    checkSuiteRuns(4_244, ["someone-elses-environment"]);
    await bot.receive("check_suite", checkSuiteRerequested(4_244, HEAD_SHA));
    // No mock for these: any request they made would fail the test.
    await bot.receive("check_suite", { ...webhookExample("check_suite", "requested"), installation: { id: 1 } });
    await bot.receive("check_suite", { ...webhookExample("check_suite", "completed"), installation: { id: 1 } });
  });

  it("refuses a click by someone without write access", async () => {
    const bot = await createTestBot();
    seedEnvironment(bot.store, { state: "passed" });
    const replies: string[] = [];
    installationToken();
    configFile(null);
    permission("visitor", "triage");
    pullRequest();
    replyComment(replies);
    await bot.receive("check_run", checkRunAction("destroy", ENVIRONMENT, HEAD_SHA, "visitor"));
    expect(replies[0]).toContain("visitor has triage");
    expect(bot.store.getEnvironment(ENVIRONMENT)?.state).toBe("passed");
  });

  it("ignores actions on checks it does not know", async () => {
    const bot = await createTestBot();
    await bot.receive("check_run", checkRunAction("destroy", "someone-elses-check", HEAD_SHA));
    await bot.receive("check_run", checkRunAction("lgtm", ENVIRONMENT, HEAD_SHA));
  });
});
