import { createHmac } from "node:crypto";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { CALLBACK_SECRET, createTestBot, ENVIRONMENT, HEAD_SHA, installationToken, useNockGuards, type TestBot } from "./support/bot-harness.js";
import { PIPELINE_ID } from "./support/circleci-mocks.js";
import { deploymentStatus, updateCheck, updateStickyComment } from "./support/github-mocks.js";
import { seedEnvironment } from "./support/records.js";
import { serveHandlers } from "./support/serve-handlers.js";

useNockGuards();

let bot: TestBot;
let server: Awaited<ReturnType<typeof serveHandlers>>;
beforeEach(async () => {
  bot = await createTestBot();
  server = await serveHandlers(bot.handlers);
});
afterEach(async () => server.close());

/** A workflow-completed webhook as CircleCI sends it, signed with the webhook's secret. */
async function workflowCompleted(status: string, { id = "wh-1", pipelineId = PIPELINE_ID } = {}) {
  const body = JSON.stringify({
    id,
    type: "workflow-completed",
    happened_at: "2025-01-14T09:20:00Z",
    webhook: { id: "hook", name: "shadowops" },
    workflow: { id: "wf-1", name: "shadowops-test", status, url: "https://app.circleci.com/pipelines/github/Codertocat/Hello-World/42/workflows/wf-1", created_at: "x", stopped_at: "y" },
    pipeline: { id: pipelineId, number: 42, created_at: "x", trigger: { type: "api" }, trigger_parameters: {} },
    project: { id: "p", name: "Hello-World", slug: "gh/Codertocat/Hello-World" },
    organization: { id: "o", name: "Codertocat" },
  });
  const signature = createHmac("sha256", CALLBACK_SECRET).update(body).digest("hex");
  const response = await fetch(`${server.url}/shadowops/circleci-webhooks`, {
    method: "POST",
    headers: { "content-type": "application/json", "circleci-signature": `v1=${signature}` },
    body,
  });
  return { status: response.status, body: await response.json() };
}

describe("CircleCI's workflow-completed webhook", () => {
  it("ends the checks of a pipeline that died without reporting", async () => {
    seedEnvironment(bot.store, { state: "provisioning", environmentCheck: { id: 100, status: "in_progress", headSha: HEAD_SHA }, deploymentState: "in_progress" });
    bot.store.putDagCheck({ environmentId: ENVIRONMENT, headSha: HEAD_SHA, dagId: "sales_daily", checkRunId: 101, status: "queued" });
    const envCheck: any[] = [];
    const dagCheck: any[] = [];
    const statuses: any[] = [];
    installationToken();
    updateCheck(100, envCheck);
    updateCheck(101, dagCheck);
    deploymentStatus(statuses);
    updateStickyComment([]);
    expect(await workflowCompleted("failed")).toMatchObject({ status: 200, body: { status: "applied" } });
    expect(envCheck[0]).toMatchObject({ conclusion: "failure" });
    expect(envCheck[0].output.summary).toContain("CircleCI workflow shadowops-test ended failed before the shadow reported a result");
    expect(dagCheck[0]).toMatchObject({ conclusion: "failure" });
    expect(statuses[0]).toMatchObject({ state: "failure" });
    expect(bot.store.getEnvironment(ENVIRONMENT)?.state).toBe("failed");

    // CircleCI retries deliveries: the same payload id changes nothing.
    expect(await workflowCompleted("failed")).toMatchObject({ status: 200, body: { status: "duplicate" } });
  });

  it("after the app lost access to the repository, ends only the bot's record (no GitHub mock: a request would fail the test)", async () => {
    seedEnvironment(bot.store, {
      state: "provisioning",
      environmentCheck: { id: 100, status: "in_progress", headSha: HEAD_SHA },
      deploymentState: "in_progress",
      accessLostAt: bot.clock.now,
    });
    expect(await workflowCompleted("failed")).toMatchObject({ status: 200, body: { status: "applied" } });
    expect(bot.store.getEnvironment(ENVIRONMENT)).toMatchObject({ state: "failed", failure: expect.stringContaining("ended failed") });
  });

  it("ignores a pipeline whose results all arrived, and pipelines it did not start", async () => {
    seedEnvironment(bot.store, { state: "passed" });
    expect((await workflowCompleted("success", { id: "wh-2" })).body).toEqual({ status: "ignored", reason: "nothing-open" });
    expect((await workflowCompleted("failed", { id: "wh-3", pipelineId: "someone-else" })).body).toEqual({ status: "ignored", reason: "unknown-pipeline" });
  });
});
