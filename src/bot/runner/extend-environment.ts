import { parseDuration } from "../../core/parse-duration.js";
import { formatDuration } from "../../core/format-duration.js";
import type { ShadowOpsConfig } from "../config/shadowops-config.js";
import type { GitHubClient } from "../github/octokit.js";
import { utc } from "../render/environment-view.js";
import { triggerFailure } from "../render/failure-reason.js";
import { bestEffort, type BotServices } from "./bot-services.js";
import { sendReply, type ReplyTarget } from "./replies.js";
import { writeStickyComment } from "./sticky-comment.js";
import { triggerPipeline } from "./trigger-pipeline.js";

export interface ExtendEnvironmentParams {
  services: BotServices;
  octokit: GitHubClient;
  environmentId: string;
  config: ShadowOpsConfig;
  /** Added to the time left (or to now, when already past). */
  byMs: number;
  replyTo: ReplyTarget | null;
}

export type ExtendOutcome = { extended: true; expiresAt: number; capped: boolean } | { extended: false; reason: "not-live" | "trigger-failed" };

/**
 * Moves the expiry later, never past `ttl.max` from now: runs the extend pipeline (which
 * re-tags the resources for the reaper), then updates the record and the comment.
 */
export async function extendEnvironment({ services, octokit, environmentId, config, byMs, replyTo }: ExtendEnvironmentParams): Promise<ExtendOutcome> {
  const { store, log } = services;
  return services.locks.run(environmentId, async () => {
    const existing = store.getEnvironment(environmentId);
    if (!existing || existing.pipeline === null || existing.state === "destroyed" || existing.state === "destroying") {
      if (replyTo) await sendReply(replyTo, { kind: "not-live" });
      return { extended: false, reason: "not-live" };
    }
    const now = services.now();
    const maxMs = parseDuration(config.ttl.max);
    const wanted = Math.max(existing.expiresAt, now) + byMs;
    const expiresAt = Math.min(wanted, now + maxMs);
    const capped = expiresAt < wanted;
    try {
      await triggerPipeline({ circleci: services.circleci, store, record: existing, action: "extend", ttlMs: expiresAt - now });
    } catch (error) {
      const explanation = triggerFailure(error);
      if (replyTo) await sendReply(replyTo, { kind: "trigger-failed", action: "extend", reason: explanation });
      return { extended: false, reason: "trigger-failed" };
    }
    const record = store.putEnvironment({ ...existing, expiresAt });
    const commentId = await bestEffort(log, "write the sticky comment", () => writeStickyComment({ octokit, record, now }));
    store.putEnvironment({ ...record, commentId: commentId ?? record.commentId });
    if (capped && replyTo) await sendReply(replyTo, { kind: "extend-capped", max: formatDuration(maxMs), expiresAt: utc(expiresAt) });
    return { extended: true, expiresAt, capped };
  });
}
