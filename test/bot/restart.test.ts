import { describe, expect, it } from "vitest";
import { BotStoppingError } from "../../src/bot/runner/concurrency-limit.js";
import { openBotStore } from "../../src/bot/store/bot-store.js";
import { createTestBot, ENVIRONMENT, github, installationToken, useNockGuards } from "./support/bot-harness.js";
import { triggerOAuthPipeline } from "./support/circleci-mocks.js";
import { configFile, createChecks, createDeployment, eyes, firstStickyComment, permission, pullRequest, replyComment } from "./support/github-mocks.js";
import { prComment } from "./support/webhook-examples.js";

useNockGuards();

/** What GitHub answers to a `/shadow test` by a writer; `triggers` gets the pipeline's parameters. */
function testCommandAnswers(triggers: unknown[]): void {
  installationToken();
  eyes();
  configFile("dags: [sales_daily]\n");
  permission("Codertocat", "write");
  pullRequest();
  createChecks([], 2);
  createDeployment([]);
  triggerOAuthPipeline(triggers);
  firstStickyComment([]);
}

describe("a restart loses nothing", () => {
  it("carries out a command that a stopped bot had claimed but not finished, when GitHub sends it again", async () => {
    const store = openBotStore({ path: ":memory:" });
    // What a bot killed in the middle of this webhook leaves behind: its claim, never completed.
    expect(store.claimDelivery("github:cut-off")).toBe(true);

    const restarted = await createTestBot({ store });
    const triggers: unknown[] = [];
    testCommandAnswers(triggers);
    await restarted.receive("issue_comment", prComment("/shadow test"), "cut-off");

    expect(triggers).toHaveLength(1);
    expect(store.getEnvironment(ENVIRONMENT)).toMatchObject({ state: "requested", pipeline: { action: "test" } });
    // Handled to the end now: a later start does not release it again, and a redelivery changes nothing.
    await createTestBot({ store });
    await restarted.receive("issue_comment", prComment("/shadow test"), "cut-off");
  });

  it("does not repeat a command that was handled to the end before the restart", async () => {
    const store = openBotStore({ path: ":memory:" });
    const first = await createTestBot({ store });
    testCommandAnswers([]);
    await first.receive("issue_comment", prComment("/shadow test"), "finished");

    const restarted = await createTestBot({ store });
    // No mock: a request to GitHub or CircleCI would fail the test.
    await restarted.receive("issue_comment", prComment("/shadow test"), "finished");
  });
});

describe("stopping the bot (drain)", () => {
  it("lets a command in progress finish, refuses new webhooks meanwhile without claiming them, then reports nothing left", async () => {
    const bot = await createTestBot();
    const replies: string[] = [];
    installationToken();
    eyes();
    configFile(null);
    // The reply is slow: the command is still in progress when the bot is told to stop.
    replyComment(replies, github(), 1, 300);

    const inProgress = bot.receive("issue_comment", prComment("/shadow help"), "in-progress");
    await new Promise((resolve) => setTimeout(resolve, 100));
    const drained = bot.running.drain(5_000);

    const refused = await bot.receive("issue_comment", prComment("/shadow help"), "during-stop").catch((error: unknown) => error);
    expect(String(refused)).toContain(new BotStoppingError().message);
    expect(bot.store.hasDelivery("github:during-stop")).toBe(false);

    expect(await drained).toBe(0);
    await inProgress;
    expect(replies).toHaveLength(1);
    expect(replies[0]).toContain("/shadow test");
    expect(bot.store.releaseUnfinishedDeliveries()).toEqual([]);
  });

  it("gives up after the grace, reporting how many are still in progress; their claims are released at the next start", async () => {
    const store = openBotStore({ path: ":memory:" });
    const bot = await createTestBot({ store });
    installationToken();
    eyes();
    configFile(null);
    replyComment([], github(), 1, 1_000);

    const inProgress = bot.receive("issue_comment", prComment("/shadow help"), "slow");
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await bot.running.drain(200)).toBe(1);
    // What the next start does (the process exits here): the cut-off command counts as not handled.
    expect(store.releaseUnfinishedDeliveries()).toEqual(["github:slow"]);
    await inProgress;
  });
});
