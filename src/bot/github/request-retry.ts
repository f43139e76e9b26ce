import { setTimeout as sleep } from "node:timers/promises";
import type { ProbotOctokit } from "probot";

type OctokitPlugin = Parameters<typeof ProbotOctokit.plugin>[0];
/** What this plugin reads of a request's options: the retries it may have and how often it was sent. */
interface RequestOptions {
  request?: { retries?: number; retryCount?: number };
}

/** The function name of @octokit/plugin-retry, in Probot's plugin list. */
export const OCTOKIT_RETRY = "retry";

/** @octokit/plugin-retry's options, with its defaults. */
interface RetryOptions {
  enabled: boolean;
  /** Further attempts after the first. */
  retries: number;
  /** Statuses that are final: sending the request again would get the same answer. */
  doNotRetry: number[];
  /** The wait before retry n is n² times this, ms. */
  retryAfterBaseValue: number;
}

/** A request's error as Octokit throws it: the options it was sent with, and a status. */
interface RequestErrorShape {
  status?: number;
  request?: { request?: { retries?: number; retryAfter?: number } };
}

/**
 * @octokit/plugin-retry's behaviour without its cost. That plugin runs every request as a job of
 * a new Bottleneck limiter, which yields to the event loop with timers: about 0.75 ms of CPU and
 * 5 ms of waiting a request, 6 ms of CPU a `/shadow test`, for nothing unless the request
 * fails. This sends a request again in the same cases, as often and after the same waits:
 * an error answer (status 400 or more; a network failure is a 500) not in `doNotRetry`, up to
 * `retries` times (a request's own `request.retries` wins), waiting 1, 4, 9… s.
 * `octokit.retry.retryRequest(error, retries, retryAfter)` marks an error for retrying as there.
 * Not its retry of a GraphQL answer whose error says "Something went wrong while executing your
 * query": the bot sends no GraphQL, and the answers are read above this layer (json-answers.ts),
 * so the plugin could not see that error here either.
 */
export const retryFailedRequests: OctokitPlugin = (octokit, octokitOptions) => {
  const state: RetryOptions = {
    enabled: true,
    retries: 3,
    doNotRetry: [400, 401, 403, 404, 410, 422, 451],
    retryAfterBaseValue: 1_000,
    ...(octokitOptions as { retry?: Partial<RetryOptions> }).retry,
  };
  const retryRequest = (error: RequestErrorShape, retries: number, retryAfter: number) => {
    error.request!.request = { ...error.request!.request, retries, retryAfter };
    return error;
  };
  if (!state.enabled) return { retry: { retryRequest } };

  // Each attempt's error answer is marked with the attempts it gets and the wait before the next.
  const markForRetry = (error: RequestErrorShape, options: RequestOptions): never => {
    if (error.request?.request !== undefined && typeof error.status === "number" && error.status >= 400 && !state.doNotRetry.includes(error.status)) {
      throw retryRequest(error, options.request?.retries ?? state.retries, ((options.request?.retryCount ?? 0) + 1) ** 2);
    }
    throw error;
  };
  octokit.hook.error("request", (error, options) => markForRetry(error as RequestErrorShape, options as RequestOptions));

  octokit.hook.wrap("request", async (request, options) => {
    for (let attempt = 0; ; attempt += 1) {
      try {
        return await request(options);
      } catch (caught) {
        const error = caught as RequestErrorShape;
        const sent = options as RequestOptions;
        sent.request = sent.request ?? {};
        sent.request.retryCount = attempt + 1;
        if (!((error.request?.request?.retries ?? 0) > attempt)) throw error;
        await sleep((error.request!.request!.retryAfter ?? 0) * state.retryAfterBaseValue);
      }
    }
  });
  return { retry: { retryRequest } };
};

/** `plugins` with @octokit/plugin-retry swapped for retryFailedRequests, in its place. */
export function withRetryWithoutBottleneck(plugins: readonly OctokitPlugin[]): OctokitPlugin[] {
  return plugins.map((plugin) => (plugin.name === OCTOKIT_RETRY ? retryFailedRequests : plugin));
}
