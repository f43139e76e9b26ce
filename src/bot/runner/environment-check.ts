import type { ConfigProblem } from "../config/parse-shadowops-config.js";
import { checkActions, type CheckActionId } from "../github/check-actions.js";
import { createCheckRun, ENVIRONMENT_CHECK_NAME, updateCheckRun, type Conclusion } from "../github/check-runs.js";
import type { GitHubClient } from "../github/octokit.js";
import { LIMITS, renderLine, renderMarkdown } from "../render/bot-text.js";
import { environmentView } from "../render/environment-view.js";
import type { EnvironmentRecord } from "../store/environment-record.js";
import { formatTtl } from "../circleci/pipeline-parameters.js";
import { configProblemRows } from "./replies.js";

export type EnvironmentCheckKind = "queued" | "in-progress" | "ready" | "failed" | "trigger-failed" | "destroyed";

const SHAPE: Record<EnvironmentCheckKind, { status?: "queued" | "in_progress"; conclusion?: Conclusion; actions: CheckActionId[] }> = {
  queued: { status: "queued", actions: ["destroy"] },
  "in-progress": { status: "in_progress", actions: ["destroy"] },
  ready: { conclusion: "success", actions: ["destroy", "extend", "rerun"] },
  failed: { conclusion: "failure", actions: ["rerun", "destroy"] },
  "trigger-failed": { conclusion: "failure", actions: ["rerun"] },
  destroyed: { conclusion: "cancelled", actions: [] },
};

export interface WriteEnvironmentCheckParams {
  octokit: GitHubClient;
  record: EnvironmentRecord;
  kind: EnvironmentCheckKind;
  now: number;
}

/**
 * Creates or updates the `ShadowOps / environment` check of the record's commit. Returns the
 * record's new `environmentCheck` (the caller saves it).
 */
export async function writeEnvironmentCheck({ octokit, record, kind, now }: WriteEnvironmentCheckParams): Promise<EnvironmentRecord["environmentCheck"]> {
  const view = { kind, environment: environmentView(record, now), problems: [] };
  const shape = SHAPE[kind];
  const change = {
    ...(shape.conclusion ? { conclusion: shape.conclusion } : { status: shape.status }),
    detailsUrl: kind === "ready" ? view.environment.airflowUrl : view.environment.pipelineUrl,
    output: {
      title: renderLine("environment-check-title", { ...view, phase: view.environment.phase ?? view.environment.state }, LIMITS.checkTitle),
      summary: renderMarkdown("environment-check-summary", view, LIMITS.checkOutput),
    },
    actions: checkActions(shape.actions, formatTtl(record.ttlMs)),
  };
  const owner = record.owner;
  const repo = record.repo;
  const status = shape.conclusion ? "completed" : (shape.status ?? "queued");
  const current = record.environmentCheck;
  if (current && current.headSha === record.headSha) {
    await updateCheckRun({ octokit, owner, repo, checkRunId: current.id, ...change });
    return { ...current, status };
  }
  const id = await createCheckRun({ octokit, owner, repo, name: ENVIRONMENT_CHECK_NAME, headSha: record.headSha, externalId: record.id, ...change });
  return { id, status, headSha: record.headSha };
}

export interface WriteConfigInvalidCheckParams {
  octokit: GitHubClient;
  owner: string;
  repo: string;
  headSha: string;
  environmentId: string;
  problems: ConfigProblem[];
}

/** A failed environment check that lists what is wrong with `.github/shadowops.yml`. */
export async function writeConfigInvalidCheck({ octokit, owner, repo, headSha, environmentId, problems }: WriteConfigInvalidCheckParams): Promise<number> {
  const view = { kind: "config-invalid", problems: configProblemRows(problems), phase: null };
  return createCheckRun({
    octokit,
    owner,
    repo,
    name: ENVIRONMENT_CHECK_NAME,
    headSha,
    externalId: environmentId,
    conclusion: "failure",
    output: {
      title: renderLine("environment-check-title", view, LIMITS.checkTitle),
      summary: renderMarkdown("environment-check-summary", view, LIMITS.checkOutput),
    },
  });
}
