import type { GitHubClient } from "../github/octokit.js";
import type { BotServices } from "./bot-services.js";

/** What every webhook handler of the runner is given: the same services, one event type. */
export interface WebhookHandlerParams<Event> {
  services: BotServices;
  octokit: GitHubClient;
  event: Event;
  /** context.config("shadowops.yml"). */
  readConfig: () => Promise<unknown>;
}

/** "duplicate": the delivery was handled before (see oncePerDelivery). */
export type WebhookOutcome = "ignored" | "duplicate" | "handled";
