import type { Logger } from "probot";
import type { GitHubClient } from "../github/octokit.js";
import { listDeliveryAttempts, redeliver, type DeliveryAttempt } from "../github/webhook-deliveries.js";
import type { BotStore } from "../store/bot-store.js";

/** How often the running bot asks GitHub for failed deliveries, and how long after startup it first does. */
export const REDELIVERY_SWEEP_EVERY_MS = 5 * 60_000;
export const FIRST_REDELIVERY_SWEEP_AFTER_MS = 30_000;
/** Attempts per webhook (the first delivery included) before the bot stops asking again. */
export const MAX_DELIVERY_ATTEMPTS = 3;
/** With no sweep recorded (a new database), how far back to look. */
const FIRST_LOOK_BACK_MS = 60 * 60_000;
/** A command older than this is not worth replaying after a long outage. GitHub keeps 3 days. */
const MAX_LOOK_BACK_MS = 24 * 3_600_000;
/** GitHub lists an attempt once it has ended, which can be after the previous sweep looked. */
const OVERLAP_MS = 10 * 60_000;
/** 2,000 attempts: more than 5 minutes of any realistic traffic, and a bounded cost per sweep. */
const MAX_PAGES = 20;
const SWEEP_MARK = "webhook-redelivery";

/** GitHub counts 2xx and 3xx answers as delivered (the range of its `status=success` filter). */
function wasDelivered(attempt: DeliveryAttempt): boolean {
  return attempt.statusCode >= 200 && attempt.statusCode < 400;
}

/**
 * Which webhooks to ask for again: those that no attempt delivered, that this bot has no record
 * of handling (it answers a slow webhook after GitHub stopped waiting, and the handled delivery
 * is in the store), and that have not used up their attempts. One attempt per webhook, oldest
 * first, so that commands are replayed in the order they were given.
 */
export function attemptsToRedeliver(attempts: DeliveryAttempt[], handled: (guid: string) => boolean, maxAttempts = MAX_DELIVERY_ATTEMPTS): DeliveryAttempt[] {
  const byGuid = new Map<string, DeliveryAttempt[]>();
  for (const attempt of attempts) {
    const tries = byGuid.get(attempt.guid);
    if (tries) tries.push(attempt);
    else byGuid.set(attempt.guid, [attempt]);
  }
  const due: DeliveryAttempt[] = [];
  for (const [guid, tries] of byGuid) {
    if (tries.some(wasDelivered) || tries.length >= maxAttempts || handled(guid)) continue;
    due.push(tries.reduce((latest, attempt) => (attempt.deliveredAt > latest.deliveredAt ? attempt : latest)));
  }
  return due.sort((a, b) => a.deliveredAt - b.deliveredAt);
}

export interface RedeliverParams {
  /** The app's own (JWT) client: `app.auth()` without an installation. */
  appOctokit: GitHubClient;
  store: BotStore;
  log: Logger;
  now: () => number;
}

/**
 * GitHub does not retry a webhook the bot did not answer in time or at all (it was restarting,
 * down, or too busy to accept the connection). Without this, a `/shadow test` written then, a
 * closed PR or a removed label would be lost. Asks GitHub for the deliveries since the last sweep
 * and has the failed ones sent again; the delivery GUIDs the store remembers make a webhook that
 * arrives twice count once. Returns the GUIDs asked for.
 */
export async function redeliverFailedWebhooks({ appOctokit, store, log, now }: RedeliverParams): Promise<string[]> {
  const startedAt = now();
  const last = store.sweepMark(SWEEP_MARK);
  const since = Math.max(startedAt - MAX_LOOK_BACK_MS, last === null ? startedAt - FIRST_LOOK_BACK_MS : last - OVERLAP_MS);
  const { attempts, complete } = await listDeliveryAttempts(appOctokit, since, MAX_PAGES);
  if (!complete) log.warn({ read: attempts.length }, `more webhook deliveries since the last sweep than ${MAX_PAGES} pages: older failures are not redelivered`);
  const asked: string[] = [];
  for (const attempt of attemptsToRedeliver(attempts, (guid) => store.hasDelivery(`github:${guid}`))) {
    try {
      await redeliver(appOctokit, attempt.id);
      asked.push(attempt.guid);
      log.info({ delivery: attempt.guid, event: attempt.event, action: attempt.action, answered: attempt.statusCode }, "asked GitHub to redeliver a failed webhook");
    } catch (error) {
      log.warn({ err: error, delivery: attempt.guid }, "could not ask GitHub to redeliver a failed webhook");
    }
  }
  store.setSweepMark(SWEEP_MARK, startedAt);
  return asked;
}
