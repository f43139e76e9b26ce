import { COMMANDS, commandUsage } from "../commands/command-table.js";
import type { CommandProblem } from "../commands/parse-command.js";
import type { ConfigProblem } from "../config/parse-shadowops-config.js";
import { reply } from "../github/comments.js";
import type { GitHubClient } from "../github/octokit.js";
import { LIMITS, renderMarkdown, tableCode } from "../render/bot-text.js";

/** Every reply the bot can give to a command, with what its template shows. */
export type ReplyView =
  | { kind: "no-permission"; user: string; permission: string; teams: readonly string[] }
  | { kind: "fork-not-maintainer"; user: string }
  | { kind: "fork-head-changed"; user: string }
  | { kind: "fork-command-too-old"; user: string; minutes: number }
  | { kind: "config-invalid"; problems: ConfigProblem[] }
  | { kind: "too-many-environments"; live: number; max: number }
  | { kind: "ttl-too-long"; ttl: string; max: string }
  | { kind: "unknown-dag"; dag: string; dags: readonly string[] }
  | { kind: "test-in-progress"; environment: string; state: string; phase: string | null }
  | { kind: "being-destroyed"; environment: string }
  | { kind: "nothing-to-destroy" }
  | { kind: "not-live" }
  | { kind: "not-a-pull-request" }
  | { kind: "pull-request-closed" }
  | { kind: "extend-capped"; max: string; expiresAt: string }
  | { kind: "trigger-failed"; action: string; reason: string };

export type ReplyKind = ReplyView["kind"];

/** Where a reply goes: the PR (or issue) a command was given on. */
export interface ReplyTarget {
  octokit: GitHubClient;
  owner: string;
  repo: string;
  issueNumber: number;
}

export async function sendReply(target: ReplyTarget, view: ReplyView): Promise<void> {
  const shown = view.kind === "config-invalid" ? { ...view, problems: configProblemRows(view.problems) } : view;
  await reply({ ...target, body: renderMarkdown("reply", shown, LIMITS.comment) });
}

/** Config problems as table rows: the path as code that cannot break the table. */
export function configProblemRows(problems: ConfigProblem[]): { pathCode: string; reason: string }[] {
  return problems.map((problem) => ({ pathCode: tableCode(problem.path), reason: problem.reason }));
}

/** Help, led by what was wrong with the command when there was a problem. */
export async function sendHelp(target: ReplyTarget, problem: CommandProblem | null, label: string, teams: readonly string[]): Promise<void> {
  const commands = COMMANDS.map((command) => ({ usageCode: tableCode(commandUsage(command)), help: command.help }));
  await reply({ ...target, body: renderMarkdown("command-help", { problem, commands, label, teams }, LIMITS.comment) });
}
