import type { GitHubClient, RepoRef } from "./octokit.js";

export interface EnvironmentOfCheckSuiteParams extends RepoRef {
  octokit: GitHubClient;
  checkSuiteId: number;
}

/**
 * The environment id the bot's checks in a check suite carry (their external_id), or null. A
 * check_suite webhook does not say which environment its checks belong to; GitHub sends a
 * suite's webhooks only to the app that made it, so its check runs are the bot's own.
 */
export async function environmentOfCheckSuite({ octokit, owner, repo, checkSuiteId }: EnvironmentOfCheckSuiteParams): Promise<string | null> {
  const { data } = await octokit.rest.checks.listForSuite({ owner, repo, check_suite_id: checkSuiteId, per_page: 100 });
  return data.check_runs.find((run) => run.external_id)?.external_id ?? null;
}
