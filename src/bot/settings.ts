import { resolve } from "node:path";
import { DEFAULT_CIRCLECI_API_URL } from "./circleci/circleci-client.js";

/**
 * ShadowOps' own settings, from the environment (Probot reads APP_ID, PRIVATE_KEY,
 * WEBHOOK_SECRET, PORT, GHE_HOST and GHE_PROTOCOL itself). Secrets stay in here: never logged,
 * never rendered, never sent as pipeline parameters.
 */
export interface BotSettings {
  /** CIRCLECI_TOKEN: a CircleCI personal API token that may trigger the projects' pipelines. */
  circleciToken: string;
  /** CIRCLECI_API_URL: CircleCI's API v2 (a test server in tests and benchmarks). */
  circleciApiUrl: string;
  /** SHADOWOPS_CALLBACK_SECRET: shared with the orb to sign callbacks; empty turns callbacks off. */
  callbackSecret: string;
  /** CIRCLECI_WEBHOOK_SECRET: the secret of CircleCI's outbound webhook; the callback secret when unset. */
  circleciWebhookSecret: string;
  /** SHADOWOPS_BOT_DB: the SQLite file (created with its folder). */
  databasePath: string;
}

export const DEFAULT_DATABASE_PATH = ".shadowops/bot.sqlite";

export function readBotSettings(env: NodeJS.ProcessEnv = process.env): BotSettings {
  const callbackSecret = env.SHADOWOPS_CALLBACK_SECRET ?? "";
  return {
    circleciToken: env.CIRCLECI_TOKEN ?? "",
    circleciApiUrl: env.CIRCLECI_API_URL || DEFAULT_CIRCLECI_API_URL,
    callbackSecret,
    circleciWebhookSecret: env.CIRCLECI_WEBHOOK_SECRET || callbackSecret,
    databasePath: resolve(env.SHADOWOPS_BOT_DB || DEFAULT_DATABASE_PATH),
  };
}
