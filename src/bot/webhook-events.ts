import type { Context } from "probot";
import { pullRequestInfo } from "./github/pull-request.js";
import type { CheckRunEvent } from "./runner/handle-check-run.js";
import type { CheckSuiteEvent } from "./runner/handle-check-suite.js";
import type { CommentEvent } from "./runner/handle-comment.js";
import type { LostAccessEvent } from "./runner/handle-lost-access.js";
import type { PullRequestEvent } from "./runner/handle-pull-request.js";
import type { RepositoryMovedEvent } from "./runner/handle-repository-moved.js";

/** The runner's view of a webhook: the fields it reads, taken from Probot's context. */

type HandledEventName =
  | "issue_comment.created"
  | PullRequestEventName
  | "check_run.requested_action"
  | "check_run.rerequested"
  | "check_suite.rerequested";

/** What every handled webhook says: its delivery, installation, repository and sender. */
function webhookBasics(context: Context<HandledEventName>) {
  const { payload } = context;
  return {
    deliveryId: context.id,
    installationId: payload.installation?.id ?? 0,
    owner: payload.repository.owner.login,
    repo: payload.repository.name,
    // Optional in GitHub's schema of pull_request.edited, whose handling does not read it.
    sender: { login: payload.sender?.login ?? "", type: payload.sender?.type ?? "User" },
  };
}

export function commentEvent(context: Context<"issue_comment.created">): CommentEvent {
  const { payload } = context;
  return {
    ...webhookBasics(context),
    issueNumber: payload.issue.number,
    isPullRequest: payload.issue.pull_request !== undefined && payload.issue.pull_request !== null,
    commentId: payload.comment.id,
    commentCreatedAt: Date.parse(payload.comment.created_at),
    body: payload.comment.body ?? "",
  };
}

/** The pull_request actions the bot handles (handle-pull-request.ts says what each does). */
export const PULL_REQUEST_ACTIONS = [
  "pull_request.opened",
  "pull_request.ready_for_review",
  "pull_request.labeled",
  "pull_request.unlabeled",
  "pull_request.closed",
  "pull_request.reopened",
  "pull_request.synchronize",
  "pull_request.edited",
] as const;

type PullRequestEventName = (typeof PULL_REQUEST_ACTIONS)[number];

export function pullRequestEvent(context: Context<PullRequestEventName>): PullRequestEvent {
  const { payload } = context;
  const label = "label" in payload ? payload.label : undefined;
  return {
    ...webhookBasics(context),
    action: payload.action,
    pull: pullRequestInfo(payload.pull_request),
    draft: payload.pull_request.draft === true,
    merged: payload.pull_request.merged === true,
    updatedAt: Date.parse(payload.pull_request.updated_at),
    label: label?.name ?? null,
    labels: payload.pull_request.labels.map((each) => each.name),
    baseChangedFrom: payload.action === "edited" ? (payload.changes.base?.ref.from ?? null) : null,
  };
}

export function checkRunEvent(context: Context<"check_run.requested_action" | "check_run.rerequested">): CheckRunEvent {
  const { payload } = context;
  const requested = "requested_action" in payload ? payload.requested_action : undefined;
  return {
    ...webhookBasics(context),
    action: payload.action,
    identifier: requested?.identifier ?? null,
    externalId: payload.check_run.external_id ?? null,
    headSha: payload.check_run.head_sha,
  };
}

export function checkSuiteEvent(context: Context<"check_suite.rerequested">): CheckSuiteEvent {
  const { payload } = context;
  return {
    ...webhookBasics(context),
    checkSuiteId: payload.check_suite.id,
    headSha: payload.check_suite.head_sha,
  };
}

/** The app uninstalled or suspended (every repository), or repositories taken out of its installation. */
export function lostAccessEvent(context: Context<"installation.deleted" | "installation.suspend" | "installation_repositories.removed">): LostAccessEvent {
  const { payload } = context;
  const common = { deliveryId: context.id, installationId: payload.installation.id, sender: payload.sender.login };
  if (payload.action === "removed") {
    return { ...common, cause: "repository removed from the app's installation", repositories: payload.repositories_removed.map((repository) => repository.full_name) };
  }
  return { ...common, cause: payload.action === "deleted" ? "app uninstalled" : "app suspended", repositories: null };
}

/**
 * A repository archived: read-only from then on. (GitHub does not send apps repository.deleted;
 * a deleted repository's shadows end at their expiry.)
 */
export function repositoryArchivedEvent(context: Context<"repository.archived">): LostAccessEvent {
  const { payload } = context;
  return {
    deliveryId: context.id,
    installationId: payload.installation?.id ?? 0,
    sender: payload.sender.login,
    cause: "repository archived",
    repositories: [payload.repository.full_name],
  };
}

/** A repository renamed, or transferred to another owner. */
export function repositoryMovedEvent(context: Context<"repository.renamed" | "repository.transferred">): RepositoryMovedEvent {
  const { payload } = context;
  const to = { owner: payload.repository.owner.login, repo: payload.repository.name };
  const from =
    payload.action === "renamed"
      ? { owner: to.owner, repo: payload.changes.repository.name.from }
      : { owner: payload.changes.owner.from.organization?.login ?? payload.changes.owner.from.user?.login ?? to.owner, repo: to.repo };
  return {
    deliveryId: context.id,
    // A transferred repository's event comes from the new owner's installation.
    installationId: payload.installation?.id ?? 0,
    cause: payload.action === "renamed" ? "repository renamed" : "repository transferred",
    from,
    to,
    sender: payload.sender.login,
  };
}
