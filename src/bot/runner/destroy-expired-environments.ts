import { formatDuration } from "../../core/format-duration.js";
import { bestEffort, githubFor, type BotServices } from "./bot-services.js";
import { destroyEnvironment, EXPIRED_DESTROY_RETRY_MS } from "./destroy-environment.js";

/** When the running bot first looks for expired environments, and how often after that. */
export const EXPIRY_SWEEP = { firstAfterMs: 30_000, everyMs: 60_000 };

/**
 * Starts the destroy pipeline of every environment whose time to live has passed. The orb's
 * scheduled reaper destroys expired AWS stacks too, but only when a project schedules it and
 * only as often as it runs; this ends an environment within a minute of its expiry, and the
 * PR's checks, deployment and comment follow through the destroy's callbacks like any destroy.
 * An environment extended meanwhile is kept. Returns the ids whose destroy started.
 */
export async function destroyExpiredEnvironments(services: BotServices): Promise<string[]> {
  const now = services.now();
  const started: string[] = [];
  for (const id of services.store.expiredEnvironments(now, now - EXPIRED_DESTROY_RETRY_MS)) {
    const record = services.store.getEnvironment(id);
    if (!record) continue;
    // Null once the app has lost access: the shadow still goes, GitHub hears nothing.
    const octokit = await bestEffort(services.log, "authenticate as the installation", () => githubFor(services, record));
    // A failed authentication: the comment could not follow; the next sweep tries again.
    if (octokit === undefined) continue;
    const outcome = await destroyEnvironment({
      services,
      octokit,
      environmentId: id,
      reason: `its time to live (${formatDuration(record.ttlMs)}) expired`,
      replyTo: null,
      onlyIf: (latest) => latest.expiresAt <= services.now(),
    });
    if (outcome === "started") started.push(id);
  }
  return started;
}
