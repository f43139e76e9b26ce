import { STICKY_MARKER, upsertStickyComment } from "../github/comments.js";
import type { GitHubClient } from "../github/octokit.js";
import { LIMITS, renderMarkdown } from "../render/bot-text.js";
import { environmentView } from "../render/environment-view.js";
import type { EnvironmentRecord } from "../store/environment-record.js";

/** The PR's one status comment for the record, as markdown; `sticky: false` renders the `/shadow status` reply. */
export function renderStatus(record: EnvironmentRecord, now: number, sticky: boolean): string {
  return renderMarkdown("sticky-comment", { ...environmentView(record, now), sticky, marker: STICKY_MARKER }, LIMITS.comment);
}

export interface WriteStickyCommentParams {
  octokit: GitHubClient;
  record: EnvironmentRecord;
  now: number;
  /**
   * False when this database never had a record for the PR before this one: the bot has not
   * commented on it, so the PR's comments need not be listed (one GitHub request fewer on the
   * first `/shadow test` of every PR). Only a lost database breaks that, and then the result is
   * a second status comment, not a lost one.
   */
  mayExist?: boolean;
}

/** Writes the sticky comment in place; returns its id for the record. */
export async function writeStickyComment({ octokit, record, now, mayExist = true }: WriteStickyCommentParams): Promise<number> {
  return upsertStickyComment({
    octokit,
    owner: record.owner,
    repo: record.repo,
    issueNumber: record.pullNumber,
    commentId: record.commentId,
    mayExist,
    body: renderStatus(record, now, true),
  });
}
