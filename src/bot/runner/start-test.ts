import { environmentNameForPullRequest } from "../../core/environment-name.js";
import { canTransition, type EnvironmentState } from "../../core/lifecycle.js";
import { parseDuration } from "../../core/parse-duration.js";
import { formatDuration } from "../../core/format-duration.js";
import type { CircleCiProject } from "../circleci/circleci-client.js";
import type { ShadowOpsConfig } from "../config/shadowops-config.js";
import type { GitHubClient } from "../github/octokit.js";
import type { PullRequestInfo } from "../github/pull-request.js";
import { triggerFailure } from "../render/failure-reason.js";
import type { EnvironmentRecord } from "../store/environment-record.js";
import { bestEffort, type BotServices } from "./bot-services.js";
import { writeDagCheck } from "./dag-check.js";
import { startDeployment, writeDeploymentStatus } from "./deployment.js";
import { writeEnvironmentCheck } from "./environment-check.js";
import { sendReply, type ReplyKind, type ReplyTarget, type ReplyView } from "./replies.js";
import { writeStickyComment } from "./sticky-comment.js";
import { triggerPipeline } from "./trigger-pipeline.js";

/** States in which a pipeline is still working on the environment: a second test would race it. */
const BUSY: readonly EnvironmentState[] = ["requested", "provisioning", "configuring", "migrating", "running"];

export interface TestRequest {
  dag: string | null;
  snapshot: string | null;
  ttlMs: number | null;
}

export interface StartTestParams {
  services: BotServices;
  octokit: GitHubClient;
  owner: string;
  repo: string;
  installationId: number;
  /** The PR as it was when the command was given: its head commit is what runs. */
  pull: PullRequestInfo;
  config: ShadowOpsConfig;
  request: TestRequest;
  /** Who asked (a login), shown in the comment. */
  actor: string;
  /** Where a refusal is explained; null to refuse silently (an automatic re-test). */
  replyTo: ReplyTarget | null;
}

export type StartTestOutcome =
  | { started: true; record: EnvironmentRecord }
  | { started: false; refusal: ReplyKind }
  | { started: false; failure: string; record: EnvironmentRecord };

/**
 * `/shadow test` (or the label, a Re-run click, an automatic re-test): creates or refreshes the
 * PR's environment at the pinned commit. Opens the queued environment check (and the DAG's),
 * starts the pipeline and a deployment at once, then writes the sticky comment with the
 * pipeline's link. A refused pipeline fails the checks with the reason.
 */
export async function startTest(params: StartTestParams): Promise<StartTestOutcome> {
  const { services, owner, repo, pull } = params;
  const id = environmentNameForPullRequest(`${owner}/${repo}`, pull.number);
  return services.locks.run(id, async () => {
    const existing = services.store.getEnvironment(id);
    const refusal = refuse(params, id, existing);
    if (refusal) {
      if (params.replyTo) await sendReply(params.replyTo, refusal);
      return { started: false, refusal: refusal.kind };
    }
    return run(params, newRecord(params, id, existing), existing !== null);
  });
}

function refuse({ services, owner, repo, pull, config, request }: StartTestParams, id: string, existing: EnvironmentRecord | null): ReplyView | null {
  if (!pull.open) return { kind: "pull-request-closed" };
  if (existing && BUSY.includes(existing.state) && existing.pipeline !== null) {
    return { kind: "test-in-progress", environment: id, state: existing.state, phase: existing.phase };
  }
  if (existing?.state === "destroying") return { kind: "being-destroyed", environment: id };
  const maxMs = parseDuration(config.ttl.max);
  if (request.ttlMs !== null && request.ttlMs > maxMs) {
    return { kind: "ttl-too-long", ttl: formatDuration(request.ttlMs), max: formatDuration(maxMs) };
  }
  if (request.dag !== null && config.dags.length > 0 && !config.dags.includes(request.dag)) {
    return { kind: "unknown-dag", dag: request.dag, dags: config.dags };
  }
  if (isFresh(existing)) {
    const live = services.store.countLiveEnvironments(`${owner}/${repo}`, id);
    if (live >= config.max_live_environments) return { kind: "too-many-environments", live, max: config.max_live_environments };
  }
  return null;
}

/** No environment holds resources for this PR yet: creating one counts against the repository's maximum. */
function isFresh(existing: EnvironmentRecord | null): boolean {
  return existing === null || existing.state === "destroyed" || existing.pipeline === null;
}

export function circleCiProject(config: ShadowOpsConfig, owner: string, repo: string): CircleCiProject {
  return { slug: config.circleci.project_slug ?? `gh/${owner}/${repo}`, definitionId: config.circleci.definition_id ?? null };
}

function newRecord(params: StartTestParams, id: string, existing: EnvironmentRecord | null): EnvironmentRecord {
  const { services, owner, repo, pull, config, request, actor, installationId } = params;
  const now = services.now();
  const ttlMs = request.ttlMs ?? parseDuration(config.ttl.default);
  const fresh = isFresh(existing);
  const kept = fresh || existing === null ? null : existing;
  const state: EnvironmentState = kept && canTransition(kept.state, "configuring") ? "configuring" : "requested";
  return {
    id,
    installationId,
    owner,
    repo,
    pullNumber: pull.number,
    headSha: pull.headSha,
    baseRef: pull.baseRef,
    isFork: pull.isFork,
    state,
    phase: null,
    dag: request.dag ?? config.dags[0] ?? null,
    snapshot: request.snapshot ?? config.snapshot,
    ttlMs,
    requestedBy: actor,
    createdAt: kept?.createdAt ?? now,
    updatedAt: now,
    liveSince: kept?.liveSince ?? null,
    expiresAt: now + ttlMs,
    project: circleCiProject(config, owner, repo),
    pipeline: kept?.pipeline ?? null,
    environmentCheck: null,
    deploymentId: null,
    deploymentState: null,
    commentId: existing?.commentId ?? null,
    airflowUrl: kept?.airflowUrl ?? null,
    costPerHourUsd: kept?.costPerHourUsd ?? null,
    migrations: null,
    failure: null,
    lastDagId: existing?.lastDagId ?? null,
    endedAt: null,
  };
}

/** `known`: the store had a record for this PR before (so a sticky comment may exist). */
async function run({ services, octokit, config }: StartTestParams, initial: EnvironmentRecord, known: boolean): Promise<StartTestOutcome> {
  const { store, log } = services;
  const now = services.now();
  // Saved before any request: the slot counts against the repository's maximum from now on.
  let record = store.putEnvironment(initial);
  const [check, , triggered, deployment] = await Promise.allSettled([
    writeEnvironmentCheck({ octokit, record, kind: "queued", now }),
    record.dag === null
      ? Promise.resolve()
      : writeDagCheck({ octokit, store, record, dagId: record.dag, update: { kind: "queued" }, now, forceCreate: true }),
    triggerPipeline({ circleci: services.circleci, store, record, action: "test", ttlMs: record.ttlMs }),
    startDeployment({ octokit, record, githubEnvironment: config.deployment_environment, now }),
  ]);
  for (const [what, result] of [["create the environment check", check], ["create the deployment", deployment]] as const) {
    if (result.status === "rejected") log.error({ err: result.reason }, `could not ${what} for ${record.id}`);
  }
  record = {
    ...record,
    environmentCheck: check.status === "fulfilled" ? check.value : null,
    deploymentId: deployment.status === "fulfilled" ? deployment.value : null,
  };

  if (triggered.status === "fulfilled") {
    // The queued check and the new deployment stay as they are until the first phase callback
    // (which links the pipeline): one request fewer on the path every command takes.
    record = store.putEnvironment({ ...record, pipeline: triggered.value });
    const commentId = await bestEffort(log, "write the sticky comment", () =>
      writeStickyComment({ octokit, record, now: services.now(), mayExist: known }),
    );
    record = store.putEnvironment({ ...record, commentId: commentId ?? record.commentId });
    log.info({ environment: record.id, pipeline: record.pipeline?.id, commit: record.headSha }, "shadow test started");
    return { started: true, record };
  }

  const error = triggered.reason as unknown;
  const failure = triggerFailure(error);
  log.warn({ environment: record.id, err: error }, "CircleCI refused the pipeline");
  record = store.putEnvironment({ ...record, state: "failed", failure });
  const later = services.now();
  const [checkAgain, , deploymentState, commentId] = await Promise.all([
    bestEffort(log, "fail the environment check", () => writeEnvironmentCheck({ octokit, record, kind: "trigger-failed", now: later })),
    record.dag === null
      ? undefined
      : bestEffort(log, "fail the DAG check", () =>
          writeDagCheck({ octokit, store, record, dagId: record.dag, update: { kind: "trigger-failed" }, now: later }),
        ),
    bestEffort(log, "set the deployment errored", () => writeDeploymentStatus({ octokit, record, state: "error", now: later })),
    bestEffort(log, "write the sticky comment", () => writeStickyComment({ octokit, record, now: later, mayExist: known })),
  ]);
  record = store.putEnvironment({
    ...record,
    environmentCheck: checkAgain ?? record.environmentCheck,
    deploymentState: deploymentState ?? record.deploymentState,
    commentId: commentId ?? record.commentId,
  });
  return { started: false, failure, record };
}
