import { describe, expect, it } from "vitest";
import { environmentNameForPullRequest } from "../../src/core/environment-name.js";
import { capture, createTestBot, ENVIRONMENT, github, installationToken, useNockGuards } from "./support/bot-harness.js";
import { triggerOAuthPipeline, triggerPipelineRun } from "./support/circleci-mocks.js";
import { seedEnvironment } from "./support/records.js";
import { INSTALLATION_ID, webhookExample } from "./support/webhook-examples.js";

useNockGuards();

/** GitHub's example of repository.{action}, for this bot's installation. */
function repositoryEvent(action: "renamed" | "transferred"): Record<string, any> {
  const payload = webhookExample("repository", action, (example) => example.installation !== undefined);
  payload.installation.id = INSTALLATION_ID;
  return payload;
}

/**
 * repository.archived. @octokit/webhooks-examples has none: this is its renamed example for
 * Codertocat/Hello-World, without `changes` (GitHub's OpenAPI description gives
 * repository-archived none).
 */
function repositoryArchived(): Record<string, any> {
  const payload = repositoryEvent("renamed");
  payload.action = "archived";
  delete payload.changes;
  payload.repository = { ...payload.repository, name: "Hello-World", full_name: "Codertocat/Hello-World", owner: { ...payload.repository.owner, login: "Codertocat" } };
  return payload;
}

/** The sticky comment updated where GitHub now has the repository. */
function stickyCommentAt(repository: string, bodies: string[]) {
  return github().patch(`/repos/${repository}/issues/comments/800`, (body: { body: string }) => capture(bodies)(body.body)).reply(200, { id: 800 });
}

describe("a repository renamed or transferred", () => {
  it("renamed: destroys its shadows in the renamed CircleCI project and writes the comment under the new name", async () => {
    const bot = await createTestBot();
    seedEnvironment(bot.store, { state: "passed" });
    seedEnvironment(bot.store, { pullNumber: 3, state: "destroyed" });
    const payload = repositoryEvent("renamed");
    payload.repository = { ...payload.repository, name: "warehouse", full_name: "Codertocat/warehouse", owner: { ...payload.repository.owner, login: "Codertocat" } };
    payload.changes = { repository: { name: { from: "Hello-World" } } };
    const triggers: any[] = [];
    const comments: string[] = [];
    installationToken();
    triggerOAuthPipeline(triggers, { body: { id: "destroy-pipeline", number: 43 } }, "gh/Codertocat/warehouse");
    stickyCommentAt("Codertocat/warehouse", comments);

    await bot.receive("repository", payload);

    // The pipeline is told the shadow's old id: its stack and database are named after it.
    expect(triggers[0].parameters).toMatchObject({ shadowops_action: "destroy", shadowops_environment: ENVIRONMENT, shadowops_repository: "Codertocat/warehouse" });
    expect(bot.store.getEnvironment(ENVIRONMENT)).toMatchObject({
      owner: "Codertocat",
      repo: "warehouse",
      state: "destroying",
      project: { slug: "gh/Codertocat/warehouse" },
    });
    expect(comments[0]).toContain("destroying");
    // The new name has a shadow to count (until its destroy ends), the old name none.
    expect(bot.store.notDestroyedEnvironmentsOfRepository("codertocat/warehouse")).toEqual([ENVIRONMENT]);
    expect(bot.store.notDestroyedEnvironmentsOfRepository("Codertocat/Hello-World")).toEqual([]);
  });

  it("transferred: the new owner's installation takes over; a CircleCI project named in the config stays as it is", async () => {
    const bot = await createTestBot();
    const payload = repositoryEvent("transferred");
    const oldOwner = payload.changes.owner.from.user.login as string;
    const slug = "circleci/8e3f1a7b-2c4d-4e5f-9a0b-1c2d3e4f5a6b/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b";
    const id = environmentNameForPullRequest(`${oldOwner}/${payload.repository.name}`, 7);
    seedEnvironment(bot.store, {
      id,
      owner: oldOwner,
      repo: payload.repository.name,
      pullNumber: 7,
      // The old owner's installation: GitHub sends the transfer to the new owner's.
      installationId: INSTALLATION_ID + 1,
      state: "running",
      project: { slug, definitionId: "2f0d9d4a-5b6c-4d7e-8f90-a1b2c3d4e5f6" },
    });
    const triggers: any[] = [];
    installationToken();
    triggerPipelineRun(triggers, slug, { body: { id: "destroy-pipeline", number: 44 } });
    stickyCommentAt(payload.repository.full_name, []);

    await bot.receive("repository", payload);

    expect(triggers[0]).toMatchObject({ definition_id: "2f0d9d4a-5b6c-4d7e-8f90-a1b2c3d4e5f6", parameters: { shadowops_action: "destroy", shadowops_environment: id } });
    expect(bot.store.getEnvironment(id)).toMatchObject({ owner: payload.repository.owner.login, installationId: INSTALLATION_ID, state: "destroying", project: { slug } });
  });

  it("ignores a rename of a repository with no shadows", async () => {
    const bot = await createTestBot();
    seedEnvironment(bot.store, { state: "passed" });
    // No mock: any request would fail the test.
    await bot.receive("repository", repositoryEvent("renamed"), "rename-elsewhere");
    expect(bot.store.getEnvironment(ENVIRONMENT)).toMatchObject({ state: "passed", repo: "Hello-World" });
    expect(bot.store.hasDelivery("github:rename-elsewhere")).toBe(false);
  });
});

describe("a repository archived", () => {
  it("destroys its shadows through CircleCI and writes nothing to GitHub (read-only now)", async () => {
    const bot = await createTestBot();
    seedEnvironment(bot.store, { state: "passed" });
    const triggers: any[] = [];
    triggerOAuthPipeline(triggers, { body: { id: "destroy-pipeline", number: 45 } });

    // No GitHub mock: a request to GitHub would fail the test.
    await bot.receive("repository", repositoryArchived());

    expect(triggers[0].parameters).toMatchObject({ shadowops_action: "destroy", shadowops_environment: ENVIRONMENT });
    expect(bot.store.getEnvironment(ENVIRONMENT)).toMatchObject({ state: "destroying", accessLostAt: bot.clock.now });
  });
});
