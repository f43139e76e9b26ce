import { STICKY_MARKER, upsertStickyComment } from "../github/comments.js";
import type { GitHubClient } from "../github/octokit.js";
import { LIMITS, renderMarkdown } from "../render/bot-text.js";
import { environmentView } from "../render/environment-view.js";
import type { EnvironmentRecord } from "../store/environment-record.js";

/** The PR's one status comment for the record, as markdown; `sticky: false` renders the `/shadow status` reply. */
export function renderStatus(record: EnvironmentRecord, now: number, sticky: boolean): string {
  return renderMarkdown("sticky-comment", { ...environmentView(record, now), sticky, marker: STICKY_MARKER }, LIMITS.comment);
}

/** Writes the sticky comment in place; returns its id for the record. */
export async function writeStickyComment({ octokit, record, now }: { octokit: GitHubClient; record: EnvironmentRecord; now: number }): Promise<number> {
  return upsertStickyComment({
    octokit,
    owner: record.owner,
    repo: record.repo,
    issueNumber: record.pullNumber,
    commentId: record.commentId,
    body: renderStatus(record, now, true),
  });
}
