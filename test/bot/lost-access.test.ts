import { describe, expect, it } from "vitest";
import { destroyExpiredEnvironments } from "../../src/bot/runner/destroy-expired-environments.js";
import { environmentNameForPullRequest } from "../../src/core/environment-name.js";
import { createTestBot, ENVIRONMENT, HEAD_SHA, START, useNockGuards } from "./support/bot-harness.js";
import { triggerOAuthPipeline } from "./support/circleci-mocks.js";
import { seedEnvironment } from "./support/records.js";
import { sendCallback, serveHandlers } from "./support/serve-handlers.js";
import { INSTALLATION_ID, webhookExample } from "./support/webhook-examples.js";

// Every test here also proves that nothing is sent to GitHub: useNockGuards fails a test on any
// request no mock matched, and none of these tests mocks GitHub.
useNockGuards();

const pr = (number: number) => environmentNameForPullRequest("Codertocat/Hello-World", number);

/** GitHub's example of the event, for this bot's installation. */
function installationEvent(name: "installation" | "installation_repositories", action: "deleted" | "suspend" | "removed"): Record<string, any> {
  const payload = webhookExample(name, action);
  payload.installation.id = INSTALLATION_ID;
  return payload;
}

describe("the app losing access to a repository", () => {
  it("uninstalled: destroys every shadow of the installation through CircleCI, and writes nothing to GitHub", async () => {
    const bot = await createTestBot();
    seedEnvironment(bot.store, { state: "passed" });
    seedEnvironment(bot.store, { pullNumber: 3, state: "running" });
    seedEnvironment(bot.store, { pullNumber: 4, state: "destroyed", endedAt: START });
    seedEnvironment(bot.store, { pullNumber: 5, state: "requested", pipeline: null });
    seedEnvironment(bot.store, { pullNumber: 6, state: "passed", installationId: INSTALLATION_ID + 1 });
    const triggers: any[] = [];
    triggerOAuthPipeline(triggers, { body: { id: "destroy-pr-2", number: 50 } });
    triggerOAuthPipeline(triggers, { body: { id: "destroy-pr-3", number: 51 } });

    await bot.receive("installation", installationEvent("installation", "deleted"));

    expect(triggers.map((trigger) => [trigger.parameters.shadowops_action, trigger.parameters.shadowops_environment]).sort()).toEqual([
      ["destroy", ENVIRONMENT],
      ["destroy", pr(3)],
    ]);
    for (const id of [ENVIRONMENT, pr(3)]) {
      expect(bot.store.getEnvironment(id)).toMatchObject({ state: "destroying", accessLostAt: bot.clock.now, pipeline: { action: "destroy" } });
    }
    // Never started: nothing to destroy, so it is simply ended.
    expect(bot.store.getEnvironment(pr(5))).toMatchObject({ state: "destroyed", endedAt: bot.clock.now });
    // Another installation's shadow, and one already gone, are left as they were.
    expect(bot.store.getEnvironment(pr(6))).toMatchObject({ state: "passed" });
    expect(bot.store.getEnvironment(pr(6))?.accessLostAt).toBeUndefined();
    expect(bot.store.getEnvironment(pr(4))).toMatchObject({ state: "destroyed", endedAt: START });
  });

  it("follows the destroy's callbacks in its own record only, and a redelivery changes nothing", async () => {
    const bot = await createTestBot();
    seedEnvironment(bot.store, { state: "passed" });
    triggerOAuthPipeline([], { body: { id: "destroy-pr-2", number: 50 } });
    const uninstalled = installationEvent("installation", "deleted");
    await bot.receive("installation", uninstalled, "uninstall-delivery");
    await bot.receive("installation", uninstalled, "uninstall-delivery");

    const server = await serveHandlers(bot.handlers);
    try {
      const send = (event: Record<string, unknown>) => sendCallback(server.url, { environment: ENVIRONMENT, commit: HEAD_SHA, ...event }, { nowMs: bot.clock.now });
      const phase = await send({ type: "phase", phase: "destroying", message: "deleting the CloudFormation stack" });
      expect(phase).toMatchObject({ status: 200, body: { status: "applied" } });
      expect(bot.store.getEnvironment(ENVIRONMENT)).toMatchObject({ state: "destroying", phase: "destroying: deleting the CloudFormation stack" });

      bot.clock.now += 600_000;
      expect(await send({ type: "destroyed" })).toMatchObject({ status: 200, body: { status: "applied" } });
      expect(bot.store.getEnvironment(ENVIRONMENT)).toMatchObject({ state: "destroyed", endedAt: bot.clock.now });
    } finally {
      await server.close();
    }
  });

  it("a repository taken out of the installation: destroys only that repository's shadows", async () => {
    const bot = await createTestBot();
    seedEnvironment(bot.store, { state: "passed" });
    const other = seedEnvironment(bot.store, { id: "octocat-spoon-knife-pr-9", owner: "octocat", repo: "Spoon-Knife", pullNumber: 9, state: "passed" });
    const payload = installationEvent("installation_repositories", "removed");
    payload.repositories_removed = [{ ...payload.repositories_removed[0], name: "Hello-World", full_name: "Codertocat/Hello-World" }];
    const triggers: any[] = [];
    triggerOAuthPipeline(triggers, { body: { id: "destroy-pr-2", number: 50 } });

    await bot.receive("installation_repositories", payload);

    expect(triggers).toHaveLength(1);
    expect(triggers[0].parameters).toMatchObject({ shadowops_action: "destroy", shadowops_environment: ENVIRONMENT });
    expect(bot.store.getEnvironment(ENVIRONMENT)).toMatchObject({ state: "destroying" });
    expect(bot.store.getEnvironment(other.id)).toMatchObject({ state: "passed" });
  });

  it("suspended, and CircleCI refuses the destroy: the expiry sweep tries again without GitHub", async () => {
    const bot = await createTestBot();
    seedEnvironment(bot.store, { state: "passed" });
    triggerOAuthPipeline([], { status: 401, body: { message: "Invalid token provided." } });

    await bot.receive("installation", installationEvent("installation", "suspend"));

    expect(bot.store.getEnvironment(ENVIRONMENT)).toMatchObject({ state: "passed", failure: expect.stringContaining("CircleCI rejected the API token") });

    bot.clock.now = START + 4 * 3_600_000 + 60_000;
    const triggers: any[] = [];
    triggerOAuthPipeline(triggers, { body: { id: "destroy-pr-2", number: 52 } });
    expect(await destroyExpiredEnvironments(bot.services)).toEqual([ENVIRONMENT]);
    expect(triggers[0].parameters).toMatchObject({ shadowops_action: "destroy", shadowops_environment: ENVIRONMENT });
    expect(bot.store.getEnvironment(ENVIRONMENT)).toMatchObject({ state: "destroying" });
  });

  it("ignores an uninstall of an installation with no shadows", async () => {
    const bot = await createTestBot();
    seedEnvironment(bot.store, { state: "passed", installationId: INSTALLATION_ID + 1 });
    await bot.receive("installation", installationEvent("installation", "deleted"), "uninstall-elsewhere");
    expect(bot.store.getEnvironment(ENVIRONMENT)).toMatchObject({ state: "passed" });
    // Not even remembered: the bot had nothing to do.
    expect(bot.store.hasDelivery("github:uninstall-elsewhere")).toBe(false);
  });
});
