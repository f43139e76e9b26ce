import { LIMITS, shorten } from "../render/bot-text.js";
import type { CheckAction } from "./check-actions.js";
import type { GitHubClient, RepoRef } from "./octokit.js";

export const ENVIRONMENT_CHECK_NAME = "ShadowOps / environment";

/** The check of one DAG's run; a fixed name per DAG, so branch protection can require it. */
export function dagCheckName(dagId: string | null): string {
  return `ShadowOps / dag ${dagId ?? "default"}`;
}

export type Conclusion = "success" | "failure" | "neutral" | "cancelled" | "action_required" | "skipped" | "timed_out";

export interface Annotation {
  path: string;
  start_line: number;
  end_line: number;
  annotation_level: "notice" | "warning" | "failure";
  title: string;
  message: string;
}

export interface CheckOutput {
  title: string;
  summary: string;
  text?: string;
}

export interface CheckRunChange {
  status?: "queued" | "in_progress" | "completed";
  conclusion?: Conclusion;
  detailsUrl?: string | null;
  output?: CheckOutput;
  actions?: CheckAction[];
}

/** GitHub takes at most this many annotations in one request; further requests append. */
export const ANNOTATIONS_PER_REQUEST = 50;

export interface CreateCheckRunParams extends RepoRef, CheckRunChange {
  octokit: GitHubClient;
  name: string;
  headSha: string;
  /** The environment id: how a click on an action finds its environment. */
  externalId: string;
}

export async function createCheckRun({ octokit, owner, repo, name, headSha, externalId, ...change }: CreateCheckRunParams): Promise<number> {
  const { data } = await octokit.rest.checks.create({
    owner,
    repo,
    name,
    head_sha: headSha,
    external_id: externalId,
    ...changeBody(change),
  });
  return data.id;
}

export interface UpdateCheckRunParams extends RepoRef, CheckRunChange {
  octokit: GitHubClient;
  checkRunId: number;
  /** Added in batches of 50: all but the last batch first, then the change with the last batch. */
  annotations?: Annotation[];
}

/**
 * Updates a check run. Annotations beyond GitHub's 50 per request go in extra requests made
 * before the final one, so the last write carries the full output (text included).
 */
export async function updateCheckRun({ octokit, owner, repo, checkRunId, annotations = [], ...change }: UpdateCheckRunParams): Promise<void> {
  const batches: Annotation[][] = [];
  for (let i = 0; i < annotations.length; i += ANNOTATIONS_PER_REQUEST) batches.push(annotations.slice(i, i + ANNOTATIONS_PER_REQUEST));
  const last = batches.pop();
  const body = changeBody(change);
  for (const batch of batches) {
    const output = body.output ?? { title: "", summary: "" };
    await octokit.rest.checks.update({
      owner,
      repo,
      check_run_id: checkRunId,
      output: { title: output.title, summary: output.summary, annotations: batch },
    });
  }
  if (last && !body.output) throw new Error("annotations need an output");
  await octokit.rest.checks.update({
    owner,
    repo,
    check_run_id: checkRunId,
    ...body,
    ...(last && body.output ? { output: { ...body.output, annotations: last } } : {}),
  });
}

function changeBody({ status, conclusion, detailsUrl, output, actions }: CheckRunChange) {
  return {
    ...(conclusion ? { status: "completed" as const, conclusion } : status ? { status } : {}),
    ...(detailsUrl ? { details_url: detailsUrl } : {}),
    ...(output ? { output: fitOutput(output) } : {}),
    ...(actions ? { actions } : {}),
  };
}

/** Title, summary and text within GitHub's limits (the texts are already cut with a note by their renderers). */
function fitOutput(output: CheckOutput): CheckOutput {
  return {
    title: shorten(output.title, LIMITS.checkTitle),
    summary: shorten(output.summary, LIMITS.checkOutput),
    ...(output.text === undefined ? {} : { text: shorten(output.text, LIMITS.checkOutput) }),
  };
}
