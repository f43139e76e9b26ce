import { failureReason } from "../render/failure-reason.js";
import { markFailed } from "./apply-callback-event.js";
import { bestEffort, githubFor, type BotServices } from "./bot-services.js";
import { writeEnvironmentCheck } from "./environment-check.js";
import { writeStickyComment } from "./sticky-comment.js";

/**
 * How long an environment may stay `requested` without a pipeline. A live test leaves that
 * state within seconds (CircleCI's retries with Retry-After take at most about three minutes),
 * and it holds the environment's lock meanwhile, so the sweep below cannot overtake it.
 */
export const STUCK_REQUEST_MS = 5 * 60_000;

/** How often the running bot looks for stuck requests (it also looks once at startup). */
export const STUCK_SWEEP_EVERY_MS = 60_000;

/**
 * Ends environments stuck in `requested` with no pipeline: the bot stopped between recording a
 * test and recording its pipeline. Such a record counted against max_live_environments forever
 * and left its checks queued. Each is marked failed first (which frees the slot even when
 * GitHub cannot be reached), then its checks and deployment are failed with the reason and the
 * sticky comment says so. An environment check that was created but not recorded cannot be
 * found again; a new failed one is created for the commit, which GitHub shows instead.
 * Returns the ids it ended.
 */
export async function recoverStuckRequests(services: BotServices, olderThanMs = STUCK_REQUEST_MS): Promise<string[]> {
  const cutoff = services.now() - olderThanMs;
  const ended: string[] = [];
  for (const id of services.store.stuckRequests(cutoff)) {
    const done = await services.locks.run(id, async () => {
      const record = services.store.getEnvironment(id);
      if (!record || record.state !== "requested" || record.pipeline !== null || record.updatedAt >= cutoff) return false;
      const failure = failureReason({ kind: "request-interrupted", minutes: Math.round(olderThanMs / 60_000) });
      let failed = services.store.putEnvironment({ ...record, state: "failed", failure });
      services.log.warn({ environment: id, commit: record.headSha }, "test stuck in requested without a pipeline: marked failed");
      const octokit = await bestEffort(services.log, "authenticate as the installation", () => githubFor(services, record));
      if (!octokit) return true;
      if (failed.environmentCheck === null) {
        const check = await bestEffort(services.log, "fail the environment check", () =>
          writeEnvironmentCheck({ octokit, record: failed, kind: "failed", now: services.now() }),
        );
        if (check) failed = services.store.putEnvironment({ ...failed, environmentCheck: check });
      }
      await markFailed(services, octokit, failed);
      const latest = services.store.getEnvironment(id)!;
      const commentId = await bestEffort(services.log, "write the sticky comment", () => writeStickyComment({ octokit, record: latest, now: services.now() }));
      if (commentId !== undefined && commentId !== latest.commentId) services.store.putEnvironment({ ...latest, commentId });
      return true;
    });
    if (done) ended.push(id);
  }
  return ended;
}
