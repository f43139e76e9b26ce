import type { Logger } from "probot";
import type { CircleCiClient } from "../circleci/circleci-client.js";
import type { ConfigCache } from "../config/config-cache.js";
import type { GitHubClient } from "../github/octokit.js";
import type { BotStore } from "../store/bot-store.js";
import type { EnvironmentRecord } from "../store/environment-record.js";
import type { KeyedLock } from "./keyed-lock.js";

/** Everything the runner uses, injected so tests hand in fakes or nock-backed clients. */
export interface BotServices {
  store: BotStore;
  circleci: CircleCiClient;
  /** Epoch milliseconds. */
  now: () => number;
  log: Logger;
  locks: KeyedLock;
  /** An installation's client, for work that does not come with a webhook (callbacks). */
  octokitFor: (installationId: number) => Promise<GitHubClient>;
  /** Waits (a fork command's grace period); instant in tests. */
  sleep: (ms: number) => Promise<void>;
  /** `.github/shadowops.yml` per repository, until a push to a default branch. */
  configs: ConfigCache;
}

/** Runs a write the user can live without (a comment refresh) and logs instead of failing the event. */
export async function bestEffort<T>(log: Logger, what: string, task: () => Promise<T>): Promise<T | undefined> {
  try {
    return await task();
  } catch (error) {
    log.warn({ err: error }, `could not ${what}`);
    return undefined;
  }
}

/**
 * The client for an environment's repository, or null once the app has lost access to it
 * (uninstalled, suspended, or the repository removed from the installation): GitHub would refuse
 * every request, so callers keep only the bot's own record up to date.
 */
export async function githubFor(services: BotServices, record: EnvironmentRecord): Promise<GitHubClient | null> {
  if (record.accessLostAt !== undefined) return null;
  return services.octokitFor(record.installationId);
}
