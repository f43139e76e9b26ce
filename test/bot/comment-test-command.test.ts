import { describe, expect, it } from "vitest";
import { PIPELINE_PARAMETER_NAMES } from "../../src/bot/circleci/pipeline-parameters.js";
import { ENVIRONMENT_CHECK_NAME } from "../../src/bot/github/check-runs.js";
import { STICKY_MARKER } from "../../src/bot/github/comments.js";
import { CIRCLECI_TOKEN, createTestBot, ENVIRONMENT, github, HEAD_SHA, installationToken, REPO, useNockGuards } from "./support/bot-harness.js";
import { PIPELINE_ID, triggerOAuthPipeline, triggerPipelineRun } from "./support/circleci-mocks.js";
import {
  configFile,
  createChecks,
  createDeployment,
  eyes,
  firstStickyComment,
  permission,
  pullRequest,
  updateStickyComment,
} from "./support/github-mocks.js";
import { seedEnvironment } from "./support/records.js";
import { prComment } from "./support/webhook-examples.js";

useNockGuards();

describe("/shadow test on a pull request", () => {
  it("reacts, opens the queued checks, triggers the pipeline with the orb's parameters, and writes one sticky comment", async () => {
    const bot = await createTestBot();
    const checks: any[] = [];
    const deployments: any[] = [];
    const comments: string[] = [];
    const triggers: any[] = [];
    installationToken();
    eyes();
    configFile("dags: [sales_daily, sales_weekly]\nttl:\n  default: 2h\n");
    permission("Codertocat", "write");
    pullRequest();
    createChecks(checks, 2);
    createDeployment(deployments);
    triggerOAuthPipeline(triggers);
    firstStickyComment(comments);

    await bot.receive("issue_comment", prComment("/shadow test --snapshot none"));

    expect(triggers).toHaveLength(1);
    expect(triggers[0]).toEqual({
      branch: "master",
      parameters: {
        shadowops_action: "test",
        shadowops_environment: ENVIRONMENT,
        shadowops_repository: "Codertocat/Hello-World",
        shadowops_pull_request: 2,
        shadowops_commit: HEAD_SHA,
        shadowops_dag: "sales_daily",
        shadowops_snapshot: "none",
        shadowops_ttl: "2h",
      },
    });
    expect(Object.keys(triggers[0].parameters).sort()).toEqual([...PIPELINE_PARAMETER_NAMES].sort());
    expect(JSON.stringify(triggers[0])).not.toContain(CIRCLECI_TOKEN);

    const environmentCheck = checks.find((check) => check.name === ENVIRONMENT_CHECK_NAME);
    expect(environmentCheck).toMatchObject({ head_sha: HEAD_SHA, status: "queued", external_id: ENVIRONMENT });
    const dagCheck = checks.find((check) => check.name === "ShadowOps / dag sales_daily");
    expect(dagCheck).toMatchObject({ head_sha: HEAD_SHA, status: "queued" });

    // One GitHub environment for every PR's shadow; which shadow it is rides in the payload.
    expect(deployments[0]).toMatchObject({
      ref: HEAD_SHA,
      environment: "shadowops",
      payload: { shadowops_environment: ENVIRONMENT },
      transient_environment: true,
      production_environment: false,
      required_contexts: [],
    });
    expect(deployments[0].description).toContain(ENVIRONMENT);

    expect(comments).toHaveLength(1);
    expect(comments[0]).toContain(STICKY_MARKER);
    expect(comments[0]).toContain("requested");
    expect(comments[0]).toContain("[CircleCI pipeline](https://app.circleci.com/pipelines/github/Codertocat/Hello-World/42) (number 42)");
    expect(comments[0]).toContain("2025-01-14 11:00 UTC");

    const record = bot.store.getEnvironment(ENVIRONMENT);
    expect(record).toMatchObject({
      state: "requested",
      headSha: HEAD_SHA,
      dag: "sales_daily",
      snapshot: "none",
      commentId: 800,
      deploymentId: 700,
      environmentCheck: { id: 100, status: "queued", headSha: HEAD_SHA },
      pipeline: { id: PIPELINE_ID, number: 42, action: "test" },
      expiresAt: Date.parse("2025-01-14T11:00:00Z"),
    });
  });

  it("uses pipeline/run with the definition id for a GitHub App project", async () => {
    const bot = await createTestBot();
    const triggers: any[] = [];
    const slug = "circleci/8e3f1a7b-2c4d-4e5f-9a0b-1c2d3e4f5a6b/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b";
    const definitionId = "2f0d9d4a-5b6c-4d7e-8f90-a1b2c3d4e5f6";
    installationToken();
    eyes();
    configFile(`circleci:\n  project_slug: ${slug}\n  definition_id: ${definitionId}\n`);
    permission("Codertocat", "admin");
    pullRequest();
    createChecks([], 1);
    createDeployment([]);
    triggerPipelineRun(triggers, slug);
    firstStickyComment([]);

    await bot.receive("issue_comment", prComment("/shadow test"));

    expect(triggers[0]).toEqual({
      definition_id: definitionId,
      config: { branch: "master" },
      checkout: { branch: "pull/2/head" },
      parameters: expect.objectContaining({ shadowops_action: "test", shadowops_dag: "", shadowops_snapshot: "latest", shadowops_ttl: "4h" }),
    });
  });

  it("deploys to the GitHub environment the config names", async () => {
    const bot = await createTestBot();
    const deployments: any[] = [];
    installationToken();
    eyes();
    configFile("deployment_environment: data shadows\n");
    permission("Codertocat", "write");
    pullRequest();
    createChecks([], 1);
    createDeployment(deployments);
    triggerOAuthPipeline([]);
    firstStickyComment([]);

    await bot.receive("issue_comment", prComment("/shadow test"));

    expect(deployments).toHaveLength(1);
    expect(deployments[0]).toMatchObject({ environment: "data shadows", payload: { shadowops_environment: ENVIRONMENT } });
  });

  it("finds the sticky comment it no longer remembers on a PR it has a record of, instead of adding a second", async () => {
    const bot = await createTestBot();
    // A destroyed environment whose comment id was lost (a crash right after the comment was created).
    seedEnvironment(bot.store, { state: "destroyed", pipeline: null, commentId: null, environmentCheck: null, deploymentId: null });
    const updated: string[] = [];
    installationToken();
    eyes();
    configFile("");
    permission("Codertocat", "write");
    pullRequest();
    createChecks([], 1);
    createDeployment([]);
    triggerOAuthPipeline([]);
    github()
      .get(`${REPO}/issues/2/comments`)
      .query(true)
      .reply(200, [
        { id: 31, body: "a person's comment", user: { login: "Codertocat", type: "User" } },
        { id: 32, body: `${STICKY_MARKER}\nold status`, user: { login: "shadowops[bot]", type: "Bot" } },
      ]);
    updateStickyComment(updated, 32);

    await bot.receive("issue_comment", prComment("/shadow test"));

    expect(updated).toHaveLength(1);
    expect(updated[0]).toContain(STICKY_MARKER);
    expect(bot.store.getEnvironment(ENVIRONMENT)?.commentId).toBe(32);
  });
});
