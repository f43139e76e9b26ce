import { environmentNameForPullRequest } from "../../core/environment-name.js";
import { authorizeActor, repositoryRole } from "../auth/authorize-actor.js";
import { parseCommand, type ShadowCommand } from "../commands/parse-command.js";
import { reactEyes, reply } from "../github/comments.js";
import type { GitHubClient } from "../github/octokit.js";
import { fetchPullRequest, type PullRequestInfo } from "../github/pull-request.js";
import { bestEffort } from "./bot-services.js";
import { confirmForkHead } from "./confirm-fork-head.js";
import { destroyEnvironment } from "./destroy-environment.js";
import { writeConfigInvalidCheck } from "./environment-check.js";
import { extendEnvironment } from "./extend-environment.js";
import { loadConfig, type LoadedConfig } from "./load-config.js";
import { oncePerDelivery } from "./once-per-delivery.js";
import { sendHelp, sendReply, type ReplyTarget } from "./replies.js";
import { startTest } from "./start-test.js";
import { renderStatus, writeStickyComment } from "./sticky-comment.js";
import type { WebhookHandlerParams, WebhookOutcome } from "./webhook-handler.js";

export interface CommentEvent {
  /** X-GitHub-Delivery. */
  deliveryId: string;
  installationId: number;
  owner: string;
  repo: string;
  issueNumber: number;
  isPullRequest: boolean;
  commentId: number;
  /** When GitHub says the comment was written (epoch ms): what a fork PR's head is checked against. */
  commentCreatedAt: number;
  body: string;
  sender: { login: string; type: string };
}

export type HandleCommentParams = WebhookHandlerParams<CommentEvent>;

/** `issue_comment.created`: a `/shadow` command on a PR, answered or carried out. */
export async function handleComment({ services, octokit, event, readConfig }: HandleCommentParams): Promise<WebhookOutcome> {
  const parsed = parseCommand(event.body);
  if (parsed.kind === "ignore" || event.sender.type === "Bot") return "ignored";
  const target: ReplyTarget = { octokit, owner: event.owner, repo: event.repo, issueNumber: event.issueNumber };
  const receivedAt = services.now();
  const handled = await oncePerDelivery(services.store, `github:${event.deliveryId}`, async () => {
    if (!event.isPullRequest) {
      await sendReply(target, { kind: "not-a-pull-request" });
      return;
    }
    if (parsed.kind === "reply") {
      const config = await loadConfig(readConfig);
      await sendHelp(target, parsed.problem, config.label, config.ok ? config.config.allowed_teams : []);
      return;
    }
    await runCommand({ services, octokit, event, readConfig }, target, parsed.command, receivedAt);
  });
  return handled ? "handled" : "duplicate";
}

async function runCommand({ services, octokit, event, readConfig }: HandleCommentParams, target: ReplyTarget, command: ShadowCommand, receivedAt: number): Promise<void> {
  const { owner, repo } = event;
  const eyes = bestEffort(services.log, "react to the command", () => reactEyes({ octokit, owner, repo, commentId: event.commentId }));
  const environmentId = environmentNameForPullRequest(`${owner}/${repo}`, event.issueNumber);

  if (command.name === "help") {
    const [, config] = await Promise.all([eyes, loadConfig(readConfig)]);
    await sendHelp(target, null, config.label, config.ok ? config.config.allowed_teams : []);
    return;
  }
  if (command.name === "status") {
    await eyes;
    const record = services.store.getEnvironment(environmentId);
    if (!record) {
      await sendReply(target, { kind: "not-live" });
      return;
    }
    const now = services.now();
    await reply({ ...target, body: renderStatus(record, now, false) });
    const commentId = await bestEffort(services.log, "refresh the sticky comment", () => writeStickyComment({ octokit, record, now }));
    if (commentId !== undefined) services.store.putEnvironment({ ...record, commentId });
    return;
  }

  // test, destroy, extend: look everything up at once, then decide.
  const [, config, role, pull] = await Promise.all([
    eyes,
    loadConfig(readConfig),
    repositoryRole({ octokit, owner, repo, username: event.sender.login }),
    fetchPullRequest({ octokit, owner, repo, number: event.issueNumber }),
  ]);
  const allowed = await authorize({ octokit, owner, repo, user: event.sender.login, role, config, pull, target });
  if (!allowed) return;

  if (command.name === "destroy") {
    await destroyEnvironment({ services, octokit, environmentId, reason: `/shadow destroy by ${event.sender.login}`, replyTo: target });
    return;
  }
  if (!config.ok) {
    await reportInvalidConfig({ octokit, owner, repo, pull, environmentId, config, target, withCheck: command.name === "test" });
    return;
  }
  if (command.name === "extend") {
    await extendEnvironment({ services, octokit, environmentId, config: config.config, byMs: command.durationMs, replyTo: target });
    return;
  }
  if (pull.isFork) {
    const refusal = await confirmForkHead({ services, octokit, owner, repo, pull, user: event.sender.login, commentCreatedAt: event.commentCreatedAt, receivedAt });
    if (refusal) {
      await sendReply(target, refusal);
      return;
    }
  }
  await startTest({
    services,
    octokit,
    owner,
    repo,
    installationId: event.installationId,
    pull,
    config: config.config,
    request: { dag: command.dag, snapshot: command.snapshot, ttlMs: command.ttlMs },
    actor: event.sender.login,
    replyTo: target,
  });
}

interface AuthorizeParams {
  octokit: GitHubClient;
  owner: string;
  repo: string;
  user: string;
  role: Awaited<ReturnType<typeof repositoryRole>>;
  config: LoadedConfig;
  pull: PullRequestInfo;
  target: ReplyTarget;
}

/** Whether the user may act on this PR; a refusal is explained in a reply. */
export async function authorize({ octokit, owner, repo, user, role, config, pull, target }: AuthorizeParams): Promise<boolean> {
  const teams = config.ok ? config.config.allowed_teams : [];
  const decision = await authorizeActor({ octokit, owner, repo, username: user, role, allowedTeams: teams, isFork: pull.isFork });
  if (decision.allowed) return true;
  if (decision.reason === "fork-not-maintainer") await sendReply(target, { kind: "fork-not-maintainer", user });
  else await sendReply(target, { kind: "no-permission", user, permission: decision.role, teams });
  return false;
}

interface ReportInvalidConfigParams {
  octokit: GitHubClient;
  owner: string;
  repo: string;
  pull: PullRequestInfo;
  environmentId: string;
  config: Extract<LoadedConfig, { ok: false }>;
  target: ReplyTarget | null;
  /** Also fail the environment check of the head commit (when a test was asked for). */
  withCheck: boolean;
}

/** An invalid `.github/shadowops.yml`: a failed environment check naming each path and reason, and a reply. */
export async function reportInvalidConfig({ octokit, owner, repo, pull, environmentId, config, target, withCheck }: ReportInvalidConfigParams): Promise<void> {
  await Promise.all([
    withCheck ? writeConfigInvalidCheck({ octokit, owner, repo, headSha: pull.headSha, environmentId, problems: config.problems }) : undefined,
    target ? sendReply(target, { kind: "config-invalid", problems: config.problems }) : undefined,
  ]);
}
