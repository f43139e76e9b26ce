import { describe, expect, it } from "vitest";
import { createTestBot, ENVIRONMENT, HEAD_SHA, installationToken, useNockGuards } from "./support/bot-harness.js";
import { PIPELINE_ID, triggerOAuthPipeline } from "./support/circleci-mocks.js";
import { changedFiles, configFile, createChecks, createDeployment, firstStickyComment, permission } from "./support/github-mocks.js";
import { seedEnvironment } from "./support/records.js";
import { pullRequestPayload } from "./support/webhook-examples.js";

useNockGuards();

/** The requests of a test started on PR #2 that never had a shadow; returns the captured trigger bodies. */
function expectTestStarted(): any[] {
  const triggers: any[] = [];
  createChecks([], 1);
  createDeployment([]);
  triggerOAuthPipeline(triggers);
  firstStickyComment([]);
  return triggers;
}

describe("auto_test: shadows nobody asked for", () => {
  it("tests a PR when it is opened, as its author, when auto_test is on", async () => {
    const bot = await createTestBot();
    installationToken();
    configFile("auto_test: true\n");
    permission("Codertocat", "write");
    const triggers = expectTestStarted();
    await bot.receive("pull_request", pullRequestPayload("opened"));
    expect(triggers).toHaveLength(1);
    expect(triggers[0].parameters).toMatchObject({ shadowops_action: "test", shadowops_commit: HEAD_SHA, shadowops_pull_request: 2 });
    expect(bot.store.getEnvironment(ENVIRONMENT)).toMatchObject({ state: "requested", requestedBy: "Codertocat", pipeline: { id: PIPELINE_ID } });
  });

  it("does nothing with a new PR when auto_test is off, the default", async () => {
    const bot = await createTestBot();
    installationToken();
    configFile(null);
    await bot.receive("pull_request", pullRequestPayload("opened"), "opened-delivery");
    // Pushes read the cached config again: no request, and nothing written for them either.
    await bot.receive("pull_request", pullRequestPayload("synchronize"), "push-delivery");
    expect(bot.store.getEnvironment(ENVIRONMENT)).toBeNull();
    expect(bot.store.hasDelivery("github:opened-delivery")).toBe(false);
    expect(bot.store.hasDelivery("github:push-delivery")).toBe(false);
  });

  it("with auto_test_paths, leaves a PR alone that changes no matching file", async () => {
    const bot = await createTestBot();
    installationToken();
    configFile('auto_test: true\nauto_test_paths: ["dags/**", "migrations/*.sql"]\n');
    changedFiles([{ filename: "README.md" }, { filename: "migrations/notes/2025.sql" }, { filename: "docs/dags/overview.md" }]);
    await bot.receive("pull_request", pullRequestPayload("opened"));
    expect(bot.store.getEnvironment(ENVIRONMENT)).toBeNull();
  });

  it("with auto_test_paths, tests a PR that moves a file out of a matching folder", async () => {
    const bot = await createTestBot();
    installationToken();
    configFile('auto_test: true\nauto_test_paths: ["dags/**"]\n');
    changedFiles([{ filename: "README.md" }, { filename: "archive/sales_daily.py", previous_filename: "dags/sales_daily.py" }]);
    permission("Codertocat", "admin");
    const triggers = expectTestStarted();
    await bot.receive("pull_request", pullRequestPayload("opened"));
    expect(triggers).toHaveLength(1);
  });

  it("leaves a PR opened with the shadow label to the label's own webhook", async () => {
    const bot = await createTestBot();
    installationToken();
    configFile("auto_test: true\n");
    await bot.receive("pull_request", pullRequestPayload("opened", { labels: ["shadow"] }));
    expect(bot.store.getEnvironment(ENVIRONMENT)).toBeNull();
  });

  it("waits for a draft until it is marked ready for review", async () => {
    const bot = await createTestBot();
    // A draft: no request at all, not even the config.
    await bot.receive("pull_request", pullRequestPayload("opened", { draft: true }));
    installationToken();
    configFile("auto_test: true\n");
    permission("Codertocat", "write");
    const triggers = expectTestStarted();
    await bot.receive("pull_request", pullRequestPayload("ready_for_review"));
    expect(triggers).toHaveLength(1);
  });

  it("never tests a fork PR or an event a bot sent without being asked", async () => {
    const bot = await createTestBot();
    // No mock: any request would fail the test.
    await bot.receive("pull_request", pullRequestPayload("opened", { fork: true, sender: "forker" }));
    await bot.receive("pull_request", pullRequestPayload("opened", { sender: "dependabot[bot]", senderType: "Bot" }));
    expect(bot.store.getEnvironment(ENVIRONMENT)).toBeNull();
  });

  it("says nothing on the PR when the person who opened it may not start a shadow", async () => {
    const bot = await createTestBot();
    installationToken();
    configFile("auto_test: true\n");
    permission("Codertocat", "read");
    await bot.receive("pull_request", pullRequestPayload("opened"));
    expect(bot.store.getEnvironment(ENVIRONMENT)).toBeNull();
  });

  it("tests a PR that never had a shadow on a push, but not one whose shadow was destroyed", async () => {
    const bot = await createTestBot();
    installationToken();
    configFile("auto_test: true\n");
    permission("Codertocat", "write");
    const triggers = expectTestStarted();
    await bot.receive("pull_request", pullRequestPayload("synchronize"));
    expect(triggers).toHaveLength(1);

    const other = await createTestBot();
    seedEnvironment(other.store, { state: "destroyed" });
    // Destroyed by hand: no request, no new test.
    await other.receive("pull_request", pullRequestPayload("synchronize", { headSha: "e".repeat(40) }));
    expect(other.store.getEnvironment(ENVIRONMENT)?.state).toBe("destroyed");
  });
});
