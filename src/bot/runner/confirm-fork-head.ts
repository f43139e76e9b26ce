import type { GitHubClient } from "../github/octokit.js";
import { fetchPullRequest, type PullRequestInfo } from "../github/pull-request.js";
import type { BotServices } from "./bot-services.js";
import type { ReplyView } from "./replies.js";

/**
 * How long a fork command waits, from when its webhook arrived, before the head it read is
 * trusted: a push made just after the comment has this long for its pull_request.synchronize
 * webhook to reach the bot. GitHub usually delivers within a second.
 */
export const FORK_PUSH_GRACE_MS = 3_000;

/** A fork command handled later than this after it was written is refused (pushes meanwhile may not be known). */
export const FORK_COMMAND_MAX_AGE_MS = 5 * 60_000;

export interface ConfirmForkHeadParams {
  services: BotServices;
  octokit: GitHubClient;
  owner: string;
  repo: string;
  /** The PR as read right after the command arrived. */
  pull: PullRequestInfo;
  user: string;
  /** GitHub's created_at of the comment (epoch ms). */
  commentCreatedAt: number;
  /** When the bot received the comment (epoch ms, the bot's clock). */
  receivedAt: number;
}

/**
 * A maintainer's `/shadow test` on a fork PR runs the head at the time of the comment. The bot
 * reads the head a moment after the comment, and a push in between would run unreviewed code.
 * Refused (with the reply to give) when: the command is too old to judge; a push to the PR is
 * known that GitHub timed at or after the comment; or the head moved while the bot waited for
 * such a push's webhook. What remains is in docs/github-app.md ("Fork pull requests").
 */
export async function confirmForkHead(params: ConfirmForkHeadParams): Promise<ReplyView | null> {
  const { services, octokit, owner, repo, pull, user, commentCreatedAt, receivedAt } = params;
  if (!Number.isFinite(commentCreatedAt) || services.now() - commentCreatedAt > FORK_COMMAND_MAX_AGE_MS) {
    return { kind: "fork-command-too-old", user, minutes: FORK_COMMAND_MAX_AGE_MS / 60_000 };
  }
  const waited = services.now() - receivedAt;
  if (waited < FORK_PUSH_GRACE_MS) await services.sleep(FORK_PUSH_GRACE_MS - waited);
  const pushedAt = services.store.lastForkPush(`${owner}/${repo}`, pull.number);
  if (pushedAt !== null && pushedAt >= commentCreatedAt) return { kind: "fork-head-changed", user };
  const now = await fetchPullRequest({ octokit, owner, repo, number: pull.number });
  if (now.headSha !== pull.headSha) return { kind: "fork-head-changed", user };
  return null;
}
