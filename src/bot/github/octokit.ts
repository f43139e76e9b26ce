import type { ProbotOctokit } from "probot";

/** The installation-authenticated client every GitHub call goes through (context.octokit or app.auth(id)). */
export type GitHubClient = ProbotOctokit;

/** Owner and name of the repository a call is about. */
export interface RepoRef {
  owner: string;
  repo: string;
}

/** A 404 from GitHub (the thing is gone or not visible). */
export function isNotFound(error: unknown): boolean {
  return typeof error === "object" && error !== null && (error as { status?: unknown }).status === 404;
}
