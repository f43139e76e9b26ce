import type { GitHubClient } from "../github/octokit.js";
import { failureReason, triggerFailure } from "../render/failure-reason.js";
import type { EnvironmentRecord } from "../store/environment-record.js";
import { bestEffort, type BotServices } from "./bot-services.js";
import { endOpenDagChecks } from "./dag-check.js";
import { writeDeploymentStatus } from "./deployment.js";
import { writeEnvironmentCheck } from "./environment-check.js";
import { sendReply, type ReplyTarget } from "./replies.js";
import { writeStickyComment } from "./sticky-comment.js";
import { triggerPipeline } from "./trigger-pipeline.js";

/**
 * A destroy CircleCI refused (a revoked token, a project that moved) of an expired environment
 * is asked again after this long (destroy-expired-environments.ts), not at every sweep: each
 * attempt also rewrites the sticky comment.
 */
export const EXPIRED_DESTROY_RETRY_MS = 15 * 60_000;

/** Time to live sent with a destroy: the resources are going anyway, the reaper needs a bound. */
const DESTROY_TTL_MS = 3_600_000;

export interface DestroyEnvironmentParams {
  services: BotServices;
  /** Null when the app has lost access to the repository: the destroy runs, GitHub hears nothing. */
  octokit: GitHubClient | null;
  environmentId: string;
  /** Why, for the log: "merged", "closed", "label removed", "/shadow destroy by x". */
  reason: string;
  /** Where to explain that there is nothing to destroy or that it failed; null for events. */
  replyTo: ReplyTarget | null;
  /**
   * Checked under the environment's lock: false keeps the environment (a sweep chose it before
   * the lock, and a command may have changed it meanwhile).
   */
  onlyIf?: (record: EnvironmentRecord) => boolean;
  /**
   * What the event asking for the destroy changes in the record (the app lost access, the
   * repository moved), saved under the same lock before anything else, even when there is
   * nothing to destroy. Returning the record unchanged saves nothing.
   */
  update?: (record: EnvironmentRecord) => EnvironmentRecord;
}

export type DestroyOutcome = "started" | "nothing-to-destroy" | "already-destroying" | "destroyed" | "failed" | "kept";

/**
 * Starts the destroy pipeline for an environment. One that never got a pipeline holds nothing
 * and is marked destroyed at once. The checks, the deployment and the comment say `destroyed`
 * when the pipeline's `destroyed` callback arrives.
 */
export async function destroyEnvironment({ services, octokit, environmentId, reason, replyTo, onlyIf, update }: DestroyEnvironmentParams): Promise<DestroyOutcome> {
  const { store, log } = services;
  return services.locks.run(environmentId, async () => {
    const current = store.getEnvironment(environmentId);
    if (current && onlyIf && !onlyIf(current)) return "kept";
    const updated = current && update ? update(current) : current;
    const existing = updated && updated !== current ? store.putEnvironment(updated) : updated;
    if (!existing || existing.state === "destroyed") {
      if (replyTo) await sendReply(replyTo, { kind: "nothing-to-destroy" });
      return "nothing-to-destroy";
    }
    if (existing.state === "destroying") {
      if (replyTo) await sendReply(replyTo, { kind: "being-destroyed", environment: environmentId });
      return "already-destroying";
    }
    if (existing.pipeline === null) {
      await markDestroyed({ services, octokit, record: existing });
      return "destroyed";
    }
    try {
      const pipeline = await triggerPipeline({ circleci: services.circleci, store, record: existing, action: "destroy", ttlMs: DESTROY_TTL_MS });
      const record = store.putEnvironment({ ...existing, state: "destroying", phase: "destroying", pipeline, failure: null });
      log.info({ environment: environmentId, reason, pipeline: pipeline.id }, "destroy started");
      if (octokit === null) return "started";
      const commentId = await bestEffort(log, "write the sticky comment", () => writeStickyComment({ octokit, record, now: services.now() }));
      store.putEnvironment({ ...record, commentId: commentId ?? record.commentId });
      return "started";
    } catch (error) {
      const explanation = triggerFailure(error);
      const failure = failureReason({ kind: "destroy-not-started", reason: explanation, retryMinutes: EXPIRED_DESTROY_RETRY_MS / 60_000 });
      const record = store.putEnvironment({ ...existing, failure });
      log.warn({ environment: environmentId, err: error }, "destroy pipeline refused");
      if (octokit === null) return "failed";
      await bestEffort(log, "write the sticky comment", () => writeStickyComment({ octokit, record, now: services.now() }));
      if (replyTo) await sendReply(replyTo, { kind: "trigger-failed", action: "destroy", reason: explanation });
      return "failed";
    }
  });
}

/** What the bot records when an environment is gone. */
export function destroyedChanges(now: number): Pick<EnvironmentRecord, "state" | "phase" | "endedAt"> {
  return { state: "destroyed", phase: null, endedAt: now };
}

/**
 * The environment is gone: state destroyed, the deployment inactive, checks still open
 * cancelled, the comment updated (GitHub only while the app has access: `octokit` not null).
 * Callers hold the environment's lock.
 */
export async function markDestroyed({
  services,
  octokit,
  record: before,
}: {
  services: BotServices;
  octokit: GitHubClient | null;
  record: EnvironmentRecord;
}): Promise<EnvironmentRecord> {
  const { store, log } = services;
  const now = services.now();
  let record = store.putEnvironment({ ...before, ...destroyedChanges(now) });
  if (octokit === null) return record;
  const envCheckOpen = record.environmentCheck !== null && record.environmentCheck.status !== "completed";
  const [environmentCheck, deploymentState, , commentId] = await Promise.all([
    envCheckOpen ? bestEffort(log, "cancel the environment check", () => writeEnvironmentCheck({ octokit, record, kind: "destroyed", now })) : undefined,
    bestEffort(log, "set the deployment inactive", () => writeDeploymentStatus({ octokit, record, state: "inactive", now })),
    bestEffort(log, "cancel open DAG checks", () => endOpenDagChecks({ octokit, store, record, update: { kind: "destroyed" }, now })),
    bestEffort(log, "write the sticky comment", () => writeStickyComment({ octokit, record, now })),
  ]);
  record = store.putEnvironment({
    ...record,
    environmentCheck: environmentCheck ?? record.environmentCheck,
    deploymentState: deploymentState ?? record.deploymentState,
    commentId: commentId ?? record.commentId,
  });
  return record;
}
