import { environmentNameForPullRequest } from "../../core/environment-name.js";
import { repositoryRole, type RepositoryRole } from "../auth/authorize-actor.js";
import type { PullRequestInfo } from "../github/pull-request.js";
import { autoTest } from "./auto-test.js";
import { writeDagCheck } from "./dag-check.js";
import { destroyEnvironment } from "./destroy-environment.js";
import { authorize, reportInvalidConfig } from "./handle-comment.js";
import { loadConfig, type LoadedConfig } from "./load-config.js";
import { oncePerDelivery } from "./once-per-delivery.js";
import type { ReplyTarget } from "./replies.js";
import { testPullRequestHead } from "./test-pull-request-head.js";
import type { WebhookHandlerParams, WebhookOutcome } from "./webhook-handler.js";

export interface PullRequestEvent {
  deliveryId: string;
  installationId: number;
  owner: string;
  repo: string;
  action: string;
  pull: PullRequestInfo;
  /** A draft PR (not tested automatically until it is ready for review). */
  draft: boolean;
  merged: boolean;
  /** The PR's updated_at (epoch ms); for synchronize, GitHub's time of the push. */
  updatedAt: number;
  /** The label added or removed (labeled / unlabeled). */
  label: string | null;
  /** The labels the PR carries after the event. */
  labels: string[];
  /** edited: the base branch before the edit, when the edit changed it (else null). */
  baseChangedFrom: string | null;
  sender: { login: string; type: string };
}

export type HandlePullRequestParams = WebhookHandlerParams<PullRequestEvent>;

/**
 * `pull_request`: the shadow label added (test) or removed (destroy), the PR closed or merged
 * (destroy), reopened while it carries the label (test again, as the label asked for a shadow
 * while the PR is open; not a fork PR), a push to a PR with a live shadow (its DAG check for the
 * new commit asks for a re-test, or a re-test starts when the config says so; never
 * automatically for forks), and a PR opened, ready for review or pushed to that never had a
 * shadow (a test when `auto_test` is on).
 */
export async function handlePullRequest(params: HandlePullRequestParams): Promise<WebhookOutcome> {
  const { services, event } = params;
  if (event.action === "synchronize" && event.pull.isFork && Number.isFinite(event.updatedAt)) {
    // Every fork PR's pushes, live shadow or not: a maintainer's /shadow test must not run a
    // commit pushed after the comment (see confirmForkHead).
    services.store.recordForkPush(`${event.owner}/${event.repo}`, event.pull.number, event.updatedAt, event.pull.headSha);
  }
  const environmentId = environmentNameForPullRequest(`${event.owner}/${event.repo}`, event.pull.number);
  const record = services.store.getEnvironment(environmentId);
  const live = record !== null && record.state !== "destroyed";
  const autoTestCandidate =
    record === null && !event.draft && !event.pull.isFork && event.sender.type !== "Bot" &&
    (event.action === "opened" || event.action === "ready_for_review" || event.action === "synchronize");
  const relevant =
    autoTestCandidate ||
    event.action === "labeled" ||
    // Not a fork PR: its branch may have moved while the PR was closed, and reopening it is no
    // maintainer's approval of that commit (adding the label again, or /shadow test, is).
    (event.action === "reopened" && event.labels.length > 0 && !event.pull.isFork) ||
    (event.action === "unlabeled" && live) ||
    (event.action === "closed" && live) ||
    (event.action === "edited" && live && event.baseChangedFrom !== null) ||
    (event.action === "synchronize" && live && record.pipeline !== null && record.state !== "destroying");
  if (!relevant) return "ignored";
  // Only auto_test could act (a PR opened or pushed to that never had a shadow), and most
  // repositories leave it off: look before remembering the delivery, so that every push to
  // such a PR costs a (cached) config read and no database write.
  if (autoTestCandidate && !(await autoTestMayApply(params.readConfig))) return "ignored";
  const handled = await oncePerDelivery(services.store, `github:${event.deliveryId}`, () => dispatch(params, environmentId));
  return handled ? "handled" : "duplicate";
}

/** auto_test is on, or the config is invalid (autoTest logs why no test starts). */
async function autoTestMayApply(readConfig: () => Promise<unknown>): Promise<boolean> {
  const config = await loadConfig(readConfig);
  return !config.ok || config.config.auto_test;
}

async function dispatch(params: HandlePullRequestParams, environmentId: string): Promise<void> {
  const { services, octokit, event, readConfig } = params;
  const { owner, repo } = event;
  switch (event.action) {
    case "closed":
      await destroyEnvironment({ services, octokit, environmentId, reason: event.merged ? "pull request merged" : "pull request closed", replyTo: null });
      return;
    case "unlabeled": {
      const config = await loadConfig(readConfig);
      if (event.label !== config.label) return;
      await destroyEnvironment({ services, octokit, environmentId, reason: `label removed by ${event.sender.login}`, replyTo: null });
      return;
    }
    case "labeled": {
      if (event.sender.type === "Bot") return;
      // Both at once: a label is a request for a test, and the permission read is the slower.
      const [config, role] = await Promise.all([
        loadConfig(readConfig),
        repositoryRole({ octokit, owner, repo, username: event.sender.login }),
      ]);
      if (event.label !== config.label) return;
      await testForLabel(params, environmentId, config, role);
      return;
    }
    case "reopened": {
      if (event.sender.type === "Bot") return;
      // Most reopened PRs carry no shadow label: the permission is read only for those that do.
      const config = await loadConfig(readConfig);
      if (!event.labels.includes(config.label)) return;
      const role = await repositoryRole({ octokit, owner, repo, username: event.sender.login });
      await testForLabel(params, environmentId, config, role);
      return;
    }
    case "edited":
      await followBaseBranch(params, environmentId);
      return;
    case "opened":
    case "ready_for_review":
      await autoTest(params);
      return;
    case "synchronize":
      if (services.store.getEnvironment(environmentId) === null) await autoTest(params);
      else await onPush(params, environmentId);
      return;
  }
}

/**
 * The shadow label asks for a test by whoever added it (or reopened the PR carrying it), of the
 * head commit in the webhook, under the same permission rules as `/shadow test`.
 */
async function testForLabel(params: HandlePullRequestParams, environmentId: string, config: LoadedConfig, role: RepositoryRole): Promise<void> {
  const { octokit, event } = params;
  const { owner, repo, pull } = event;
  const target: ReplyTarget = { octokit, owner, repo, issueNumber: pull.number };
  if (!(await authorize({ octokit, owner, repo, user: event.sender.login, role, config, pull, target }))) return;
  if (!config.ok) {
    await reportInvalidConfig({ octokit, owner, repo, pull, environmentId, config, target, withCheck: true });
    return;
  }
  await testPullRequestHead(params, config.config, target);
}

/**
 * The PR now targets another branch (retargeted by hand, or by GitHub when the old base was
 * merged and deleted, as with stacked PRs). The shadow's next pipelines, its destroy above all,
 * take their config from the new base: the old one may be gone, and CircleCI cannot run a
 * pipeline from a branch that does not exist.
 */
async function followBaseBranch({ services, event }: HandlePullRequestParams, environmentId: string): Promise<void> {
  await services.locks.run(environmentId, async () => {
    const record = services.store.getEnvironment(environmentId);
    if (!record || record.state === "destroyed" || record.baseRef === event.pull.baseRef) return;
    services.store.putEnvironment({ ...record, baseRef: event.pull.baseRef });
    services.log.info({ environment: environmentId, from: record.baseRef, to: event.pull.baseRef }, "pull request retargeted: pipelines now use the new base branch");
  });
}

async function onPush(params: HandlePullRequestParams, environmentId: string): Promise<void> {
  const { services, octokit, event, readConfig } = params;
  const config = await loadConfig(readConfig);
  if (config.ok && config.config.auto_retest && !event.pull.isFork) {
    const outcome = await testPullRequestHead(params, config.config, null);
    if (outcome.started || !("refusal" in outcome)) return;
    services.log.info({ environment: environmentId, refusal: outcome.refusal }, "automatic re-test refused; asking for one instead");
  }
  await services.locks.run(environmentId, async () => {
    const record = services.store.getEnvironment(environmentId);
    if (!record) return;
    await writeDagCheck({
      octokit,
      store: services.store,
      record,
      dagId: record.dag ?? record.lastDagId,
      headSha: event.pull.headSha,
      update: { kind: "needs-retest", newCommit: event.pull.headSha, detailsUrl: event.pull.htmlUrl },
      now: services.now(),
    });
  });
}
