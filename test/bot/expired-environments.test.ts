import nock from "nock";
import { describe, expect, it, vi } from "vitest";
import { EXPIRED_DESTROY_RETRY_MS } from "../../src/bot/runner/destroy-environment.js";
import { destroyExpiredEnvironments } from "../../src/bot/runner/destroy-expired-environments.js";
import { createTestBot, ENVIRONMENT, installationToken, START, useNockGuards } from "./support/bot-harness.js";
import { triggerOAuthPipeline } from "./support/circleci-mocks.js";
import { updateStickyComment } from "./support/github-mocks.js";
import { environmentRecord, seedEnvironment } from "./support/records.js";

useNockGuards();

const HOUR = 3_600_000;
/** The seeded environment's expiry (records.ts: a 4 h test started at START). */
const EXPIRES_AT = START + 4 * HOUR;

describe("an environment past its time to live", () => {
  it("is destroyed: a destroy pipeline, the sticky comment says so; live, destroyed and never-started ones are left alone", async () => {
    const bot = await createTestBot();
    seedEnvironment(bot.store, { state: "passed" });
    seedEnvironment(bot.store, { pullNumber: 3, state: "passed", expiresAt: EXPIRES_AT + HOUR });
    seedEnvironment(bot.store, { pullNumber: 4, state: "destroyed", endedAt: START + HOUR });
    seedEnvironment(bot.store, { pullNumber: 5, state: "destroying" });
    seedEnvironment(bot.store, { pullNumber: 6, state: "requested", pipeline: null });

    bot.clock.now = EXPIRES_AT - 1;
    expect(await destroyExpiredEnvironments(bot.services)).toEqual([]);

    bot.clock.now = EXPIRES_AT + 60_000;
    const triggers: any[] = [];
    const comments: string[] = [];
    installationToken();
    triggerOAuthPipeline(triggers, { body: { id: "destroy-pipeline", number: 43 } });
    updateStickyComment(comments);
    expect(await destroyExpiredEnvironments(bot.services)).toEqual([ENVIRONMENT]);

    expect(triggers).toHaveLength(1);
    expect(triggers[0].parameters).toMatchObject({ shadowops_action: "destroy", shadowops_environment: ENVIRONMENT, shadowops_pull_request: 2 });
    expect(bot.store.getEnvironment(ENVIRONMENT)).toMatchObject({ state: "destroying", pipeline: { id: "destroy-pipeline", action: "destroy" } });
    expect(comments[0]).toContain("destroying");
    // Once its destroy is under way, the next sweep leaves it to the destroy's callbacks.
    expect(await destroyExpiredEnvironments(bot.services)).toEqual([]);
  });

  it("whose destroy CircleCI refuses is asked again after 15 minutes, not at every sweep", async () => {
    const bot = await createTestBot();
    seedEnvironment(bot.store, { state: "failed" });
    bot.clock.now = EXPIRES_AT + 60_000;
    const comments: string[] = [];
    installationToken();
    triggerOAuthPipeline([], { status: 401, body: { message: "Invalid token provided." } });
    updateStickyComment(comments);
    expect(await destroyExpiredEnvironments(bot.services)).toEqual([]);
    expect(comments[0]).toContain("CircleCI rejected the API token");
    expect(comments[0]).toContain("trying again every 15 minutes");
    expect(bot.store.getEnvironment(ENVIRONMENT)?.state).toBe("failed");

    bot.clock.now += EXPIRED_DESTROY_RETRY_MS - 60_000;
    expect(await destroyExpiredEnvironments(bot.services)).toEqual([]);

    bot.clock.now += 60_000;
    const triggers: any[] = [];
    triggerOAuthPipeline(triggers, { body: { id: "destroy-pipeline", number: 44 } });
    updateStickyComment([]);
    expect(await destroyExpiredEnvironments(bot.services)).toEqual([ENVIRONMENT]);
    expect(triggers[0].parameters.shadowops_action).toBe("destroy");
  });

  it("is kept when `/shadow extend` moved its expiry while the sweep waited for it", async () => {
    const bot = await createTestBot();
    seedEnvironment(bot.store, { state: "passed" });
    bot.clock.now = EXPIRES_AT + 60_000;
    const locking = vi.spyOn(bot.services.locks, "run");
    let sweep: Promise<string[]> | undefined;
    await bot.services.locks.run(ENVIRONMENT, async () => {
      sweep = destroyExpiredEnvironments(bot.services);
      // The sweep chose the environment and now waits for its lock, which an extend holds.
      await vi.waitFor(() => expect(locking).toHaveBeenCalledTimes(2));
      bot.store.putEnvironment(environmentRecord({ state: "passed", expiresAt: bot.clock.now + 2 * HOUR }));
    });
    expect(await sweep).toEqual([]);
    expect(bot.store.getEnvironment(ENVIRONMENT)?.state).toBe("passed");
  });

  it("is destroyed by the running bot's own schedule", async () => {
    const bot = await createTestBot({ expirySweep: { firstAfterMs: 10, everyMs: 60_000 } });
    seedEnvironment(bot.store, { state: "passed" });
    bot.clock.now = EXPIRES_AT + 60_000;
    const triggers: any[] = [];
    installationToken();
    triggerOAuthPipeline(triggers, { body: { id: "destroy-pipeline", number: 43 } });
    updateStickyComment([]);
    await vi.waitFor(() => expect(nock.pendingMocks()).toEqual([]), { timeout: 5_000 });
    expect(triggers[0].parameters.shadowops_action).toBe("destroy");
    expect(bot.store.getEnvironment(ENVIRONMENT)?.state).toBe("destroying");
  });
});
