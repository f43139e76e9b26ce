import { describe, expect, it } from "vitest";
import { FORK_COMMAND_MAX_AGE_MS, FORK_PUSH_GRACE_MS } from "../../src/bot/runner/confirm-fork-head.js";
import { createTestBot, ENVIRONMENT, HEAD_SHA, installationToken, START, useNockGuards, type TestBot } from "./support/bot-harness.js";
import { triggerOAuthPipeline } from "./support/circleci-mocks.js";
import { configFile, createChecks, createDeployment, eyes, firstStickyComment, permission, pullRequest, replyComment } from "./support/github-mocks.js";
import { prComment, pullRequestPayload } from "./support/webhook-examples.js";

useNockGuards();

const PUSHED_SHA = "0123456789abcdef0123456789abcdef01234567";

/** A maintainer's `/shadow test` on fork PR #2, written at `writtenAt` (GitHub's created_at). */
function maintainerCommand(writtenAt: number): Record<string, any> {
  const payload = prComment("/shadow test", { login: "maintainer" });
  payload.comment.created_at = new Date(writtenAt).toISOString();
  return payload;
}

/** pull_request.synchronize on fork PR #2, timed by GitHub at `pushedAt`. */
function forkPush(pushedAt: number, headSha = PUSHED_SHA): Record<string, any> {
  const payload = pullRequestPayload("synchronize", { headSha, fork: true });
  payload.pull_request.updated_at = new Date(pushedAt).toISOString();
  return payload;
}

function lookups(headSha: string) {
  installationToken();
  eyes();
  configFile("");
  permission("maintainer", "maintain");
  pullRequest({ fork: true, author: "forker", headSha });
}

describe("a maintainer's /shadow test on a fork PR", () => {
  it("runs the head it read once no push after the comment shows up within the grace period", async () => {
    const waits: number[] = [];
    const bot = await createTestBot({ sleep: async (ms) => void waits.push(ms) });
    const checks: any[] = [];
    const triggers: any[] = [];
    await bot.receive("pull_request", forkPush(START - 60_000, HEAD_SHA)); // the push the maintainer reviewed
    lookups(HEAD_SHA);
    pullRequest({ fork: true, author: "forker" }); // read again after the grace period: unchanged
    createChecks(checks, 1);
    createDeployment([]);
    triggerOAuthPipeline(triggers);
    firstStickyComment([]);
    await bot.receive("issue_comment", maintainerCommand(START - 2_000));
    expect(waits).toEqual([FORK_PUSH_GRACE_MS]);
    expect(triggers[0].parameters.shadowops_commit).toBe(HEAD_SHA);
    expect(checks[0].head_sha).toBe(HEAD_SHA);
  });

  it("refuses when a push GitHub timed after the comment arrives while the bot waits, though the head read first was already that push", async () => {
    let bot!: TestBot;
    const replies: string[] = [];
    bot = await createTestBot({
      // The push's webhook reaches the bot during the grace period.
      sleep: async () => bot.receive("pull_request", forkPush(START - 1_000)),
    });
    lookups(PUSHED_SHA);
    replyComment(replies);
    await bot.receive("issue_comment", maintainerCommand(START - 2_000));
    expect(replies[0]).toContain("its head changed around the time of the command by maintainer");
    expect(bot.store.getEnvironment(ENVIRONMENT)).toBeNull();
  });

  it("refuses when the head moved while the bot waited", async () => {
    const bot = await createTestBot();
    const replies: string[] = [];
    lookups(HEAD_SHA);
    pullRequest({ fork: true, author: "forker", headSha: PUSHED_SHA });
    replyComment(replies);
    await bot.receive("issue_comment", maintainerCommand(START - 2_000));
    expect(replies[0]).toContain("its head changed");
    expect(bot.store.getEnvironment(ENVIRONMENT)).toBeNull();
  });

  it("refuses a command that reaches the bot too long after it was written (a redelivery)", async () => {
    const bot = await createTestBot();
    const replies: string[] = [];
    lookups(HEAD_SHA);
    replyComment(replies);
    await bot.receive("issue_comment", maintainerCommand(START - FORK_COMMAND_MAX_AGE_MS - 1_000));
    expect(replies[0]).toContain("more than 5 minutes after it was written");
    expect(bot.store.getEnvironment(ENVIRONMENT)).toBeNull();
  });
});
