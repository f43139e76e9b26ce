import type { ShadowOpsConfig } from "../config/shadowops-config.js";
import type { HandlePullRequestParams } from "./handle-pull-request.js";
import type { ReplyTarget } from "./replies.js";
import { startTest, type StartTestOutcome } from "./start-test.js";

/**
 * A test asked for by a pull_request webhook (the label, a reopened PR, a push with auto_retest,
 * auto_test): of the head commit in the webhook, with the config's DAG, snapshot and TTL, by the
 * webhook's sender. `replyTo` null: a refusal is not explained on the PR.
 */
export function testPullRequestHead({ services, octokit, event }: HandlePullRequestParams, config: ShadowOpsConfig, replyTo: ReplyTarget | null): Promise<StartTestOutcome> {
  return startTest({
    services,
    octokit,
    owner: event.owner,
    repo: event.repo,
    installationId: event.installationId,
    pull: event.pull,
    config,
    request: { dag: null, snapshot: null, ttlMs: null },
    actor: event.sender.login,
    replyTo,
  });
}
