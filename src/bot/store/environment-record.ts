import type { EnvironmentState } from "../../core/lifecycle.js";
import type { MigrationResult } from "../../core/migration-result.js";
import type { CircleCiProject } from "../circleci/circleci-client.js";

export type CheckStatus = "queued" | "in_progress" | "completed";
export type PipelineAction = "test" | "destroy" | "extend";

/** Everything the bot remembers about one PR's shadow; one row per environment id (the lock). */
export interface EnvironmentRecord {
  /** environmentNameForPullRequest(repository, pullNumber). */
  id: string;
  installationId: number;
  owner: string;
  repo: string;
  pullNumber: number;
  /** The commit the current (or last) test runs: pinned when the test was asked for. */
  headSha: string;
  /** Branch the pipeline's config comes from: the PR's base branch. */
  baseRef: string;
  isFork: boolean;
  state: EnvironmentState;
  /** Last phase or progress message from the pipeline. */
  phase: string | null;
  dag: string | null;
  snapshot: string;
  ttlMs: number;
  requestedBy: string;
  createdAt: number;
  updatedAt: number;
  /** When the environment started to cost money (first provisioning phase), for the cost estimate. */
  liveSince: number | null;
  expiresAt: number;
  /** The CircleCI project the environment's pipelines run in (from the config when it was created). */
  project: CircleCiProject;
  /** The latest pipeline the bot started for this environment (any action), for links. */
  pipeline: PipelineRecord | null;
  environmentCheck: { id: number; status: CheckStatus; headSha: string } | null;
  deploymentId: number | null;
  deploymentState: DeploymentState | null;
  commentId: number | null;
  airflowUrl: string | null;
  costPerHourUsd: number | null;
  migrations: MigrationResult[] | null;
  /** Why the environment failed, or what last went wrong (a failed destroy, say). */
  failure: string | null;
  /** DAG of the last result, for the re-test check after a push. */
  lastDagId: string | null;
  /** When the environment was destroyed, for the final cost. */
  endedAt: number | null;
  /**
   * When the app lost access to the repository (uninstalled, suspended, or the repository taken
   * out of the installation): the shadow is destroyed and nothing more is written to GitHub for
   * it. Absent while the app has access.
   */
  accessLostAt?: number;
}

export type DeploymentState = "queued" | "in_progress" | "success" | "failure" | "error" | "inactive";

export interface PipelineRecord {
  id: string;
  number: number | null;
  url: string | null;
  action: PipelineAction;
  environmentId: string;
  /** The commit the pipeline was started for. */
  headSha: string;
}

export interface DagCheckRecord {
  environmentId: string;
  headSha: string;
  dagId: string;
  checkRunId: number;
  status: CheckStatus;
}
