import { describe, expect, it } from "vitest";
import { createTestBot, ENVIRONMENT, HEAD_SHA, installationToken, useNockGuards } from "./support/bot-harness.js";
import { PIPELINE_ID, triggerOAuthPipeline } from "./support/circleci-mocks.js";
import {
  configFile,
  createChecks,
  createDeployment,
  firstStickyComment,
  permission,
  replyComment,
  updateStickyComment,
} from "./support/github-mocks.js";
import { seedEnvironment } from "./support/records.js";
import { pullRequestEdited, pullRequestPayload } from "./support/webhook-examples.js";

useNockGuards();

const NEW_SHA = "a".repeat(40);

describe("pull request events", () => {
  it("starts a test at the head commit when a permitted user adds the shadow label", async () => {
    const bot = await createTestBot();
    const triggers: any[] = [];
    installationToken();
    configFile("label: bug\n");
    permission("Codertocat", "maintain");
    createChecks([], 1);
    createDeployment([]);
    triggerOAuthPipeline(triggers);
    firstStickyComment([]);
    await bot.receive("pull_request", pullRequestPayload("labeled", { label: "bug" }));
    expect(triggers[0].parameters).toMatchObject({ shadowops_action: "test", shadowops_commit: HEAD_SHA, shadowops_pull_request: 2 });
    expect(bot.store.getEnvironment(ENVIRONMENT)?.requestedBy).toBe("Codertocat");
  });

  it("ignores other labels", async () => {
    const bot = await createTestBot();
    installationToken();
    configFile(null);
    permission("Codertocat", "write");
    await bot.receive("pull_request", pullRequestPayload("labeled", { label: "bug" }));
    expect(bot.store.getEnvironment(ENVIRONMENT)).toBeNull();
  });

  it("refuses the label from a fork PR's author without write access", async () => {
    const bot = await createTestBot();
    const replies: string[] = [];
    installationToken();
    configFile("label: bug\n");
    permission("forker", "read");
    replyComment(replies);
    await bot.receive("pull_request", pullRequestPayload("labeled", { label: "bug", fork: true, sender: "forker" }));
    expect(replies[0]).toContain("comes from a fork");
  });

  it.each([
    ["closed", pullRequestPayload("closed", { merged: true })],
    ["closed without merging", pullRequestPayload("closed")],
    ["the label removed", pullRequestPayload("unlabeled", { label: "shadow" })],
  ])("destroys the shadow when %s", async (_, payload) => {
    const bot = await createTestBot();
    seedEnvironment(bot.store, { state: "passed" });
    const triggers: any[] = [];
    const comments: string[] = [];
    installationToken();
    if (payload.action === "unlabeled") configFile(null);
    triggerOAuthPipeline(triggers, { body: { id: "destroy-pipeline", number: 43 } });
    updateStickyComment(comments);
    await bot.receive("pull_request", payload);
    expect(triggers[0].parameters).toMatchObject({ shadowops_action: "destroy", shadowops_environment: ENVIRONMENT });
    expect(bot.store.getEnvironment(ENVIRONMENT)).toMatchObject({ state: "destroying", pipeline: { id: "destroy-pipeline", action: "destroy" } });
    expect(comments[0]).toContain("destroying");
  });

  it("follows a retargeted PR: the shadow's destroy takes its config from the new base branch", async () => {
    const bot = await createTestBot();
    // A stacked PR: its base branch was merged and deleted, and GitHub retargeted the PR.
    seedEnvironment(bot.store, { state: "passed", baseRef: "feature-base" });
    const retarget = pullRequestEdited({ baseFrom: "feature-base" });
    expect(retarget.pull_request.base.ref).toBe("master");
    // No GitHub mock: following the base branch writes nothing to GitHub.
    await bot.receive("pull_request", retarget);
    expect(bot.store.getEnvironment(ENVIRONMENT)).toMatchObject({ baseRef: "master", state: "passed" });

    const triggers: any[] = [];
    installationToken();
    triggerOAuthPipeline(triggers, { body: { id: "destroy-pipeline", number: 43 } });
    updateStickyComment([]);
    await bot.receive("pull_request", pullRequestPayload("closed", { merged: true }));
    expect(triggers[0]).toMatchObject({ branch: "master", parameters: { shadowops_action: "destroy" } });
  });

  it("ignores an edit that keeps the base branch", async () => {
    const bot = await createTestBot();
    seedEnvironment(bot.store, { state: "passed", baseRef: "feature-base" });
    await bot.receive("pull_request", pullRequestEdited({ titleFrom: "An older title" }));
    expect(bot.store.getEnvironment(ENVIRONMENT)?.baseRef).toBe("feature-base");
  });

  it("tests again when a permitted user reopens a PR that carries the shadow label", async () => {
    const bot = await createTestBot();
    seedEnvironment(bot.store, { state: "destroyed", requestedBy: "someone-before" });
    const triggers: any[] = [];
    const checks: any[] = [];
    const comments: string[] = [];
    installationToken();
    configFile("label: bug\n");
    permission("Codertocat", "write");
    createChecks(checks, 1);
    createDeployment([]);
    triggerOAuthPipeline(triggers);
    updateStickyComment(comments);
    await bot.receive("pull_request", pullRequestPayload("reopened", { labels: ["question", "bug"] }));
    expect(triggers).toHaveLength(1);
    expect(triggers[0].parameters).toMatchObject({ shadowops_action: "test", shadowops_commit: HEAD_SHA, shadowops_pull_request: 2 });
    expect(checks[0]).toMatchObject({ name: "ShadowOps / environment", head_sha: HEAD_SHA, status: "queued" });
    expect(bot.store.getEnvironment(ENVIRONMENT)).toMatchObject({ state: "requested", requestedBy: "Codertocat", pipeline: { id: PIPELINE_ID } });
    expect(comments[0]).toContain("Codertocat");
  });

  it("does nothing when a reopened PR carries no shadow label", async () => {
    const bot = await createTestBot();
    installationToken();
    configFile(null);
    await bot.receive("pull_request", pullRequestPayload("reopened", { labels: ["bug"] }));
    // No labels at all: not even the config is read.
    await bot.receive("pull_request", pullRequestPayload("reopened", { labels: [] }));
    expect(bot.store.getEnvironment(ENVIRONMENT)).toBeNull();
  });

  it("refuses, and says why, when someone without write access reopens a PR that carries the label", async () => {
    const bot = await createTestBot();
    const replies: string[] = [];
    installationToken();
    configFile(null);
    permission("visitor", "read");
    replyComment(replies);
    await bot.receive("pull_request", pullRequestPayload("reopened", { labels: ["shadow"], sender: "visitor" }));
    expect(replies).toHaveLength(1);
    expect(replies[0]).toContain("visitor has read");
    expect(bot.store.getEnvironment(ENVIRONMENT)).toBeNull();
  });

  it("does not test a fork PR on reopening, even when a maintainer reopens it: its head may be unreviewed", async () => {
    const bot = await createTestBot();
    // No mock: any request would fail the test.
    await bot.receive("pull_request", pullRequestPayload("reopened", { labels: ["shadow"], fork: true }));
    expect(bot.store.getEnvironment(ENVIRONMENT)).toBeNull();
  });

  it("does nothing when a PR without a shadow closes", async () => {
    const bot = await createTestBot();
    await bot.receive("pull_request", pullRequestPayload("closed", { merged: true }));
  });

  it("marks the DAG check of a pushed commit as needing a re-test", async () => {
    const bot = await createTestBot();
    seedEnvironment(bot.store, { state: "passed" });
    const checks: any[] = [];
    installationToken();
    configFile(null);
    createChecks(checks, 1);
    await bot.receive("pull_request", pullRequestPayload("synchronize", { headSha: NEW_SHA }));
    expect(checks[0]).toMatchObject({
      name: "ShadowOps / dag sales_daily",
      head_sha: NEW_SHA,
      conclusion: "action_required",
      external_id: ENVIRONMENT,
      output: { title: "Needs a re-test" },
      actions: [{ identifier: "rerun", label: "Re-run", description: expect.any(String) }],
    });
    expect(checks[0].output.summary).toContain("Commit aaaaaaa was pushed after");
    expect(bot.store.getEnvironment(ENVIRONMENT)?.headSha).toBe(HEAD_SHA);
  });

  it("re-tests automatically on a push when auto_retest is on", async () => {
    const bot = await createTestBot();
    seedEnvironment(bot.store, { state: "passed" });
    const triggers: any[] = [];
    installationToken();
    configFile("auto_retest: true\ndags: [sales_daily]\n");
    createChecks([], 2);
    createDeployment([], 701);
    triggerOAuthPipeline(triggers, { body: { id: "retest", number: 44 } });
    updateStickyComment([]);
    await bot.receive("pull_request", pullRequestPayload("synchronize", { headSha: NEW_SHA }));
    expect(triggers[0].parameters).toMatchObject({ shadowops_action: "test", shadowops_commit: NEW_SHA });
    expect(bot.store.getEnvironment(ENVIRONMENT)).toMatchObject({ state: "configuring", headSha: NEW_SHA, pipeline: { id: "retest" } });
  });

  it("never re-tests a fork PR automatically", async () => {
    const bot = await createTestBot();
    seedEnvironment(bot.store, { state: "passed", isFork: true });
    installationToken();
    configFile("auto_retest: true\n");
    createChecks([], 1);
    await bot.receive("pull_request", pullRequestPayload("synchronize", { headSha: NEW_SHA, fork: true }));
    expect(bot.store.getEnvironment(ENVIRONMENT)?.pipeline?.id).toBe(PIPELINE_ID);
  });
});
