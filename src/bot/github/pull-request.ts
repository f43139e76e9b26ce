import type { GitHubClient, RepoRef } from "./octokit.js";

/** What the bot needs to know about a PR when a command arrives. */
export interface PullRequestInfo {
  number: number;
  /** The head commit at the time of the command or event: the commit a test runs. */
  headSha: string;
  baseRef: string;
  /** The head is in another repository (or a deleted one). */
  isFork: boolean;
  open: boolean;
  author: string;
  htmlUrl: string;
}

/** The subset of a pull request object (webhook payload or REST) that pullRequestInfo reads. */
export interface PullRequestLike {
  number: number;
  state: string;
  html_url: string;
  user: { login: string } | null;
  head: { sha: string; repo: { full_name: string } | null };
  base: { ref: string; repo: { full_name: string } };
}

export function pullRequestInfo(pull: PullRequestLike): PullRequestInfo {
  return {
    number: pull.number,
    headSha: pull.head.sha,
    baseRef: pull.base.ref,
    isFork: pull.head.repo === null || pull.head.repo.full_name.toLowerCase() !== pull.base.repo.full_name.toLowerCase(),
    open: pull.state === "open",
    author: pull.user?.login ?? "",
    htmlUrl: pull.html_url,
  };
}

export async function fetchPullRequest({ octokit, owner, repo, number }: RepoRef & { octokit: GitHubClient; number: number }): Promise<PullRequestInfo> {
  const { data } = await octokit.rest.pulls.get({ owner, repo, pull_number: number });
  return pullRequestInfo(data);
}

/** A file a pull request adds, changes, deletes or renames. */
export interface ChangedFile {
  filename: string;
  /** The path before a rename; null otherwise. */
  previousFilename: string | null;
}

/** The files a PR changes (GitHub lists at most 3,000 of them). */
export async function listChangedFiles({ octokit, owner, repo, number }: RepoRef & { octokit: GitHubClient; number: number }): Promise<ChangedFile[]> {
  const files = await octokit.paginate(octokit.rest.pulls.listFiles, { owner, repo, pull_number: number, per_page: 100 });
  return files.map((file) => ({ filename: file.filename, previousFilename: file.previous_filename ?? null }));
}
