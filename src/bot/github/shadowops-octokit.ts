import { ProbotOctokit } from "probot";
import { httpFetchAsFetch } from "../http/http-fetch.js";
import { readJsonAnswersNatively } from "./json-answers.js";
import { RequestLimiterGroup, RetryScheduler } from "./request-limiter.js";
import { withRequestLoggingWhenDebugging } from "./request-logging.js";
import { withRetryWithoutBottleneck } from "./request-retry.js";

/**
 * Writes to GitHub an installation may make at once before the spacing applies: a command's
 * reaction, checks, deployment and comment go out together.
 */
export const WRITE_BURST = 20;

/**
 * The throttling plugin's limits per installation, on request-limiter.ts instead of Bottleneck
 * (see there why). Its own values, except writes: Probot's default spaces every
 * POST/PATCH/PUT/DELETE of an installation one second apart, one at a time (GitHub's advice
 * for *many* writes), so a command's 👀 and its queued check would land a second or more
 * apart, and a busy repository would queue for minutes. Writes here are a token bucket per
 * installation: WRITE_BURST at once, 4 in flight, refilled by one a second, so sustained
 * writing still follows GitHub's one-a-second advice. The plugin keeps its retries on
 * rate-limit answers. The limits are this process's: the bot is one process on one SQLite file,
 * so Probot's Redis-shared throttling (REDIS_URL) has nothing to share them with.
 */
const requestLimiters = {
  global: new RequestLimiterGroup({ maxConcurrent: 10 }),
  auth: new RequestLimiterGroup({ maxConcurrent: 1 }),
  search: new RequestLimiterGroup({ maxConcurrent: 1, minTime: 2_000 }),
  write: new RequestLimiterGroup({ maxConcurrent: 4, burst: WRITE_BURST, refillEveryMs: 1_000 }),
  // Requests that notify people (comments): GitHub's secondary limits are strictest there.
  notifications: new RequestLimiterGroup({ maxConcurrent: 1, minTime: 3_000 }),
};

/**
 * The key of an installation's throttles. `app.auth(id)` sets it, but the client Probot hands a
 * webhook's handlers (context.octokit, made by octokit-auth-probot) leaves it unset, so every
 * installation would share one write bucket and one three-second spacing of comments: a
 * command in one organisation would wait for the writes of all the others. Probot's own key
 * (the id as text), so both clients of an installation share its limits.
 */
function throttleKey(options: Record<string, unknown>): { id: string } | Record<string, never> {
  const throttle = options.throttle as { id?: unknown } | undefined;
  const installationId = (options.auth as { installationId?: unknown } | undefined)?.installationId;
  return throttle?.id === undefined && installationId !== undefined ? { id: String(installationId) } : {};
}

const ProbotOctokitWithOurs = ProbotOctokit.plugin(readJsonAnswersNatively).defaults((options: Record<string, unknown>) => {
  const request = options.request as { fetch?: unknown } | undefined;
  return {
    ...options,
    request: { ...request, fetch: request?.fetch ?? httpFetchAsFetch },
    throttle: { ...(options.throttle as object | undefined), ...requestLimiters, retryLimiter: new RetryScheduler(), ...throttleKey(options) },
  };
});

/**
 * The Octokit `npm start` gives Probot: Probot's, with the write limit above kept per
 * installation by every client (throttleKey), sending its requests through httpFetch (see
 * http-fetch.ts for why), reading answers with JSON.parse (json-answers.ts), logging
 * requests only when debug lines are written (request-logging.ts), and retrying failed
 * requests without a Bottleneck per request (request-retry.ts).
 */
export class ShadowOpsOctokit extends ProbotOctokitWithOurs {
  // Octokit's constructor applies the plugins its class lists.
  static override plugins = withRetryWithoutBottleneck(withRequestLoggingWhenDebugging(ProbotOctokitWithOurs.plugins));
}
