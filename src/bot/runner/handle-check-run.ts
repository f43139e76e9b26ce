import { repositoryRole } from "../auth/authorize-actor.js";
import { isCheckActionId, type CheckActionId } from "../github/check-actions.js";
import { fetchPullRequest } from "../github/pull-request.js";
import { destroyEnvironment } from "./destroy-environment.js";
import { extendEnvironment } from "./extend-environment.js";
import { authorize, reportInvalidConfig } from "./handle-comment.js";
import { loadConfig } from "./load-config.js";
import { oncePerDelivery } from "./once-per-delivery.js";
import type { ReplyTarget } from "./replies.js";
import { startTest } from "./start-test.js";
import type { WebhookHandlerParams, WebhookOutcome } from "./webhook-handler.js";

export interface CheckRunEvent {
  deliveryId: string;
  installationId: number;
  owner: string;
  repo: string;
  /** "requested_action" (a button) or "rerequested" (GitHub's own re-run). */
  action: string;
  /** The button's identifier for requested_action. */
  identifier: string | null;
  /** The environment id the bot set on its checks. */
  externalId: string | null;
  /** The commit of the check: what a Re-run tests. */
  headSha: string;
  sender: { login: string; type: string };
}

export type HandleCheckRunParams = WebhookHandlerParams<CheckRunEvent>;

/** A click on Destroy, Re-run or Extend on one of the bot's checks (or GitHub's own "Re-run"). */
export async function handleCheckRun({ services, octokit, event, readConfig }: HandleCheckRunParams): Promise<WebhookOutcome> {
  const action = checkAction(event);
  const record = event.externalId === null ? null : services.store.getEnvironment(event.externalId);
  if (action === null || record === null) return "ignored";
  const handled = await oncePerDelivery(services.store, `github:${event.deliveryId}`, async () => {
    const { owner, repo } = event;
    const target: ReplyTarget = { octokit, owner, repo, issueNumber: record.pullNumber };
    const [config, role, pull] = await Promise.all([
      loadConfig(readConfig),
      repositoryRole({ octokit, owner, repo, username: event.sender.login }),
      fetchPullRequest({ octokit, owner, repo, number: record.pullNumber }),
    ]);
    if (!(await authorize({ octokit, owner, repo, user: event.sender.login, role, config, pull, target }))) return;
    if (action === "destroy") {
      await destroyEnvironment({ services, octokit, environmentId: record.id, reason: `Destroy clicked by ${event.sender.login}`, replyTo: target });
      return;
    }
    if (!config.ok) {
      await reportInvalidConfig({ octokit, owner, repo, pull, environmentId: record.id, config, target, withCheck: false });
      return;
    }
    if (action === "extend") {
      await extendEnvironment({ services, octokit, environmentId: record.id, config: config.config, byMs: record.ttlMs, replyTo: target });
      return;
    }
    await startTest({
      services,
      octokit,
      owner,
      repo,
      installationId: event.installationId,
      // The commit of the clicked check, not whatever the head is now.
      pull: { ...pull, headSha: event.headSha },
      config: config.config,
      request: { dag: record.dag, snapshot: record.snapshot, ttlMs: record.ttlMs },
      actor: event.sender.login,
      replyTo: target,
    });
  });
  return handled ? "handled" : "duplicate";
}

function checkAction(event: CheckRunEvent): CheckActionId | null {
  if (event.action === "rerequested") return "rerun";
  if (event.action === "requested_action" && event.identifier !== null && isCheckActionId(event.identifier)) return event.identifier;
  return null;
}
