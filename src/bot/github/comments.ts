import { LIMITS } from "../render/bot-text.js";
import { isNotFound, type GitHubClient, type RepoRef } from "./octokit.js";

/** The hidden line that marks the bot's one status comment on a PR. */
export const STICKY_MARKER = "<!-- shadowops:sticky-comment -->";

export interface UpsertStickyCommentParams extends RepoRef {
  octokit: GitHubClient;
  issueNumber: number;
  /** The comment's id as remembered; null when not known. */
  commentId: number | null;
  /**
   * Whether the bot may have written a sticky comment on the PR that it does not remember (the
   * PR has a record without a comment id, e.g. a crash right after creating one): then the PR's
   * comments are searched for the marker before a new comment is created.
   */
  mayExist: boolean;
  body: string;
}

/**
 * Writes the PR's status comment in place: the remembered comment if it still exists, else
 * the bot's comment carrying the marker, else a new one. Returns its id, to remember.
 */
export async function upsertStickyComment({ octokit, owner, repo, issueNumber, commentId, mayExist, body }: UpsertStickyCommentParams): Promise<number> {
  if (commentId !== null) {
    try {
      await octokit.rest.issues.updateComment({ owner, repo, comment_id: commentId, body });
      return commentId;
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
  }
  if (!mayExist) {
    const { data } = await octokit.rest.issues.createComment({ owner, repo, issue_number: issueNumber, body });
    return data.id;
  }
  const comments = await octokit.paginate(octokit.rest.issues.listComments, { owner, repo, issue_number: issueNumber, per_page: 100 });
  const existing = comments.find((comment) => comment.user?.type === "Bot" && (comment.body ?? "").includes(STICKY_MARKER));
  if (existing) {
    await octokit.rest.issues.updateComment({ owner, repo, comment_id: existing.id, body });
    return existing.id;
  }
  const { data } = await octokit.rest.issues.createComment({ owner, repo, issue_number: issueNumber, body });
  return data.id;
}

export interface ReplyParams extends RepoRef {
  octokit: GitHubClient;
  issueNumber: number;
  body: string;
}

/** A reply to a command (help, a refusal): a new comment, within GitHub's limit. */
export async function reply({ octokit, owner, repo, issueNumber, body }: ReplyParams): Promise<void> {
  await octokit.rest.issues.createComment({ owner, repo, issue_number: issueNumber, body: body.slice(0, LIMITS.comment) });
}

export interface ReactParams extends RepoRef {
  octokit: GitHubClient;
  commentId: number;
}

/** 👀 on a command: seen and being acted on. */
export async function reactEyes({ octokit, owner, repo, commentId }: ReactParams): Promise<void> {
  await octokit.rest.reactions.createForIssueComment({ owner, repo, comment_id: commentId, content: "eyes" });
}
