import type { DeploymentState } from "../store/environment-record.js";
import type { GitHubClient, RepoRef } from "./octokit.js";

export interface CreateDeploymentParams extends RepoRef {
  octokit: GitHubClient;
  /** The commit deployed. */
  sha: string;
  /** The GitHub environment (`deployment_environment`): one for all of a repository's shadows. */
  environment: string;
  /** Which shadow this is, kept in the deployment's payload. */
  shadowEnvironmentId: string;
  description: string;
}

/**
 * A transient, non-production deployment for a shadow, so the PR gets a "View deployment"
 * button. No status checks gate it (the shadow is what tests the commit). Null when GitHub
 * answered 202 (it did not create one).
 */
export async function createDeployment({ octokit, owner, repo, sha, environment, shadowEnvironmentId, description }: CreateDeploymentParams): Promise<number | null> {
  const response = await octokit.rest.repos.createDeployment({
    owner,
    repo,
    ref: sha,
    environment,
    description,
    auto_merge: false,
    required_contexts: [],
    transient_environment: true,
    production_environment: false,
    payload: { shadowops_environment: shadowEnvironmentId },
  });
  return "id" in response.data ? response.data.id : null;
}

export interface SetDeploymentStatusParams extends RepoRef {
  octokit: GitHubClient;
  deploymentId: number;
  state: DeploymentState;
  /** The Airflow UI, once the shadow is up. */
  environmentUrl?: string | null;
  /** The CircleCI pipeline. */
  logUrl?: string | null;
  description: string;
}

export async function setDeploymentStatus({
  octokit,
  owner,
  repo,
  deploymentId,
  state,
  environmentUrl,
  logUrl,
  description,
}: SetDeploymentStatusParams): Promise<void> {
  await octokit.rest.repos.createDeploymentStatus({
    owner,
    repo,
    deployment_id: deploymentId,
    state,
    description,
    ...(environmentUrl ? { environment_url: environmentUrl } : {}),
    ...(logUrl ? { log_url: logUrl } : {}),
    auto_inactive: false,
  });
}
