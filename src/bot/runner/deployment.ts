import { createDeployment, setDeploymentStatus } from "../github/deployments.js";
import type { GitHubClient } from "../github/octokit.js";
import { LIMITS, renderLine } from "../render/bot-text.js";
import { environmentView } from "../render/environment-view.js";
import type { DeploymentState, EnvironmentRecord } from "../store/environment-record.js";

function description(record: EnvironmentRecord, state: DeploymentState, now: number): string {
  const view = environmentView(record, now);
  return renderLine("deployment-description", { ...view, state, phase: view.phase ?? view.state }, LIMITS.deploymentDescription);
}

/**
 * A new deployment for the record's commit to the repository's one GitHub environment
 * (`deployment_environment`); returns its id (null when GitHub made none).
 */
export async function startDeployment({
  octokit,
  record,
  githubEnvironment,
  now,
}: {
  octokit: GitHubClient;
  record: EnvironmentRecord;
  githubEnvironment: string;
  now: number;
}): Promise<number | null> {
  return createDeployment({
    octokit,
    owner: record.owner,
    repo: record.repo,
    sha: record.headSha,
    environment: githubEnvironment,
    shadowEnvironmentId: record.id,
    description: description(record, "queued", now),
  });
}

/** Moves the record's deployment to `state` (no-op without a deployment or when already there). */
export async function writeDeploymentStatus({
  octokit,
  record,
  state,
  now,
}: {
  octokit: GitHubClient;
  record: EnvironmentRecord;
  state: DeploymentState;
  now: number;
}): Promise<DeploymentState | null> {
  if (record.deploymentId === null) return record.deploymentState;
  if (record.deploymentState === state && state !== "success") return state;
  const view = environmentView(record, now);
  await setDeploymentStatus({
    octokit,
    owner: record.owner,
    repo: record.repo,
    deploymentId: record.deploymentId,
    state,
    environmentUrl: state === "success" ? view.airflowUrl : null,
    logUrl: view.pipelineUrl,
    description: description(record, state, now),
  });
  return state;
}
