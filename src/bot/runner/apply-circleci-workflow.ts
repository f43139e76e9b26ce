import type { CircleCiWebhook } from "../callbacks/callback-event.js";
import { bestEffort, githubFor, type BotServices } from "./bot-services.js";
import { markFailed } from "./apply-callback-event.js";
import { writeStickyComment } from "./sticky-comment.js";
import { failureReason } from "../render/failure-reason.js";

export type WorkflowOutcome =
  | { status: "applied"; environment: string }
  | { status: "ignored"; reason: "not-workflow-completed" | "unknown-pipeline" | "superseded" | "nothing-open" };

/**
 * CircleCI's `workflow-completed` webhook, the safety net: when a pipeline ends without its
 * job having reported (killed, timed out, a broken step before the callback), the checks it
 * left queued or in progress are ended with the workflow's status and link.
 */
export async function applyCircleCiWorkflow(services: BotServices, webhook: CircleCiWebhook): Promise<WorkflowOutcome> {
  if (webhook.type !== "workflow-completed" || !webhook.workflow || !webhook.pipeline) return { status: "ignored", reason: "not-workflow-completed" };
  const pipeline = services.store.getPipeline(webhook.pipeline.id);
  if (!pipeline) return { status: "ignored", reason: "unknown-pipeline" };
  const workflow = webhook.workflow;
  return services.locks.run(pipeline.environmentId, async () => {
    const record = services.store.getEnvironment(pipeline.environmentId);
    if (!record || record.state === "destroyed") return { status: "ignored", reason: "superseded" };
    const ended = { workflow: workflow.name, status: workflow.status, url: workflow.url ?? null };

    if (pipeline.action === "test") {
      const open =
        (record.environmentCheck !== null && record.environmentCheck.status !== "completed") ||
        services.store.openDagChecks(record.id).some((check) => check.headSha === pipeline.headSha);
      if (record.headSha !== pipeline.headSha) return { status: "ignored", reason: "superseded" };
      if (!open) return { status: "ignored", reason: "nothing-open" };
      const failure = failureReason({ kind: "workflow-ended", ...ended, succeeded: workflow.status === "success" });
      const octokit = await githubFor(services, record);
      const failed = services.store.putEnvironment({ ...record, state: record.state === "destroying" ? record.state : "failed", failure });
      if (octokit === null) return { status: "applied", environment: record.id };
      await markFailed(services, octokit, failed);
      const latest = services.store.getEnvironment(record.id)!;
      await bestEffort(services.log, "write the sticky comment", () => writeStickyComment({ octokit, record: latest, now: services.now() }));
      return { status: "applied", environment: record.id };
    }

    if (workflow.status === "success") return { status: "ignored", reason: "nothing-open" };
    // A destroy or extend that failed: say so; the reaper still destroys the shadow at its expiry.
    const octokit = await githubFor(services, record);
    const updated = services.store.putEnvironment({ ...record, failure: failureReason({ kind: "pipeline-failed", action: pipeline.action, ...ended }) });
    if (octokit === null) return { status: "applied", environment: record.id };
    await bestEffort(services.log, "write the sticky comment", () => writeStickyComment({ octokit, record: updated, now: services.now() }));
    return { status: "applied", environment: record.id };
  });
}
