import type { PipelineAction } from "../store/environment-record.js";

/**
 * The pipeline parameters the bot sends and the orb declares: the contract between the two.
 * Names are snake_case with a `shadowops_` prefix; no value is ever a secret (AWS credentials
 * come from CircleCI's OIDC role, callbacks are signed with a secret held in a CircleCI context).
 */
export const PIPELINE_PARAMETER_NAMES = [
  "shadowops_action",
  "shadowops_environment",
  "shadowops_repository",
  "shadowops_pull_request",
  "shadowops_commit",
  "shadowops_dag",
  "shadowops_snapshot",
  "shadowops_ttl",
] as const;

export type PipelineParameterName = (typeof PIPELINE_PARAMETER_NAMES)[number];

export interface PipelineParameters {
  /** What the pipeline does: "test" (create or refresh, then run the DAG), "destroy", "extend". */
  shadowops_action: PipelineAction;
  /** The environment id (environmentNameForPullRequest): the lock and every resource's name. */
  shadowops_environment: string;
  /** "owner/repo". */
  shadowops_repository: string;
  shadowops_pull_request: number;
  /** The 40-hex commit to deploy, pinned when the command was given. */
  shadowops_commit: string;
  /** DAG id to run; "" for the orb's default. */
  shadowops_dag: string;
  /** "latest", "none" or a snapshot identifier. */
  shadowops_snapshot: string;
  /** Time to live from now, as a duration ("4h", "1h30m"); for "extend", the new time left. */
  shadowops_ttl: string;
}

/** Parameter types as the orb declares them (`parameters:` in the pipeline config). */
export const PIPELINE_PARAMETER_TYPES: Record<PipelineParameterName, "string" | "integer"> = {
  shadowops_action: "string",
  shadowops_environment: "string",
  shadowops_repository: "string",
  shadowops_pull_request: "integer",
  shadowops_commit: "string",
  shadowops_dag: "string",
  shadowops_snapshot: "string",
  shadowops_ttl: "string",
};

/** Milliseconds as the shortest duration parseDuration reads back exactly: 14_400_000 → "4h". */
export function formatTtl(ms: number): string {
  let seconds = Math.max(60, Math.ceil(ms / 1_000));
  const parts: string[] = [];
  for (const [unit, size] of [["d", 86_400], ["h", 3_600], ["m", 60], ["s", 1]] as const) {
    const count = Math.floor(seconds / size);
    if (count > 0) parts.push(`${count}${unit}`);
    seconds -= count * size;
  }
  return parts.join("");
}
