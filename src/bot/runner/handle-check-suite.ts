import { environmentOfCheckSuite } from "../github/check-suites.js";
import { handleCheckRun } from "./handle-check-run.js";
import type { WebhookHandlerParams, WebhookOutcome } from "./webhook-handler.js";

export interface CheckSuiteEvent {
  deliveryId: string;
  installationId: number;
  owner: string;
  repo: string;
  checkSuiteId: number;
  /** The suite's commit: what the re-run tests. */
  headSha: string;
  sender: { login: string; type: string };
}

export type HandleCheckSuiteParams = WebhookHandlerParams<CheckSuiteEvent>;

/**
 * GitHub's "Re-run all checks" and "Re-run failed checks" on the bot's checks arrive as
 * check_suite.rerequested, not as a check_run webhook: the same as Re-run on one of the checks
 * (the same permission rules, the suite's commit), once the suite's checks name the environment.
 */
export async function handleCheckSuite({ services, octokit, event, readConfig }: HandleCheckSuiteParams): Promise<WebhookOutcome> {
  const { owner, repo, checkSuiteId, ...rest } = event;
  const externalId = await environmentOfCheckSuite({ octokit, owner, repo, checkSuiteId });
  if (externalId === null) return "ignored";
  return handleCheckRun({
    services,
    octokit,
    readConfig,
    event: { ...rest, owner, repo, action: "rerequested", identifier: null, externalId },
  });
}
