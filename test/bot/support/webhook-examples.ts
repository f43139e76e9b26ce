import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

/** GitHub's example webhook payloads (@octokit/webhooks-examples), copied so a test can change them. */
interface ExampleSet {
  name: string;
  actions: string[];
  examples: Record<string, unknown>[];
}

let all: ExampleSet[] | undefined;

export function webhookExample(name: string, action: string, where: (example: Record<string, unknown>) => boolean = () => true): Record<string, any> {
  if (!all) {
    const require = createRequire(import.meta.url);
    all = JSON.parse(readFileSync(require.resolve("@octokit/webhooks-examples/api.github.com/index.json"), "utf8")) as ExampleSet[];
  }
  const example = all.find((set) => set.name === name)?.examples.find((candidate) => candidate.action === action && where(candidate));
  if (!example) throw new Error(`no ${name}.${action} example`);
  return structuredClone(example);
}

export const INSTALLATION_ID = 1;

/**
 * issue_comment.created on PR Codertocat/Hello-World#2 with the given body. The example is a
 * comment on an issue without an installation: both are added.
 */
export function prComment(body: string, { login = "Codertocat", type = "User", commentId = 9_001 } = {}): Record<string, any> {
  const payload = webhookExample("issue_comment", "created");
  payload.issue.number = 2;
  payload.issue.pull_request = {
    url: "https://api.github.com/repos/Codertocat/Hello-World/pulls/2",
    html_url: "https://github.com/Codertocat/Hello-World/pull/2",
    diff_url: "https://github.com/Codertocat/Hello-World/pull/2.diff",
    patch_url: "https://github.com/Codertocat/Hello-World/pull/2.patch",
  };
  payload.installation = { id: INSTALLATION_ID, node_id: "MDIzOkludGVncmF0aW9uSW5zdGFsbGF0aW9uMQ==" };
  payload.comment.body = body;
  payload.comment.id = commentId;
  payload.sender.login = login;
  payload.sender.type = type;
  payload.comment.user.login = login;
  return payload;
}

/** pull_request.{action} for Codertocat/Hello-World#2 (has an installation). `labels`: the names the PR carries. */
export function pullRequestPayload(
  action: "opened" | "ready_for_review" | "labeled" | "unlabeled" | "closed" | "reopened" | "synchronize",
  changes: { label?: string; labels?: string[]; merged?: boolean; headSha?: string; fork?: boolean; draft?: boolean; sender?: string; senderType?: "User" | "Bot" } = {},
): Record<string, any> {
  const payload = webhookExample("pull_request", action, (example) => example.installation !== undefined);
  if (changes.label !== undefined) payload.label = { ...payload.label, name: changes.label };
  if (changes.labels !== undefined) {
    const [like] = webhookExample("pull_request", "reopened").pull_request.labels;
    payload.pull_request.labels = changes.labels.map((name, index) => ({ ...like, id: like.id + index, name }));
  }
  if (changes.merged !== undefined) payload.pull_request.merged = changes.merged;
  if (changes.headSha !== undefined) payload.pull_request.head.sha = changes.headSha;
  if (changes.fork) payload.pull_request.head.repo = { ...payload.pull_request.head.repo, full_name: "forker/Hello-World" };
  if (changes.draft !== undefined) payload.pull_request.draft = changes.draft;
  if (changes.sender !== undefined) payload.sender.login = changes.sender;
  if (changes.senderType !== undefined) payload.sender.type = changes.senderType;
  return payload;
}

/**
 * pull_request.edited for Codertocat/Hello-World#2. @octokit/webhooks-examples has no edited
 * example: this is its synchronize example with the action and the `changes` GitHub's OpenAPI
 * description gives pull-request-edited (a retarget: changes.base.ref.from and .sha.from).
 */
export function pullRequestEdited(changes: { baseFrom?: string; titleFrom?: string }): Record<string, any> {
  const payload = pullRequestPayload("synchronize");
  payload.action = "edited";
  delete payload.before;
  delete payload.after;
  payload.changes = {
    ...(changes.titleFrom !== undefined ? { title: { from: changes.titleFrom } } : {}),
    ...(changes.baseFrom !== undefined ? { base: { ref: { from: changes.baseFrom }, sha: { from: "b".repeat(40) } } } : {}),
  };
  return payload;
}

/** check_run.requested_action on a check of Codertocat/Hello-World carrying our external id. */
export function checkRunAction(identifier: string, externalId: string, headSha: string, sender = "Codertocat"): Record<string, any> {
  const payload = webhookExample("check_run", "requested_action");
  const repository = webhookExample("pull_request", "labeled", (example) => example.installation !== undefined).repository;
  payload.repository = repository;
  payload.installation = { id: INSTALLATION_ID, node_id: "MDIzOkludGVncmF0aW9uSW5zdGFsbGF0aW9uMQ==" };
  payload.requested_action = { identifier };
  payload.check_run.external_id = externalId;
  payload.check_run.head_sha = headSha;
  payload.check_run.check_suite.head_sha = headSha;
  payload.sender.login = sender;
  return payload;
}

/** check_run.rerequested (GitHub's own Re-run on one check) on a check carrying our external id. */
export function checkRunRerequested(externalId: string, headSha: string, sender = "Codertocat"): Record<string, any> {
  const payload = checkRunAction("", externalId, headSha, sender);
  payload.action = "rerequested";
  delete payload.requested_action;
  return payload;
}

/**
 * check_suite.rerequested (GitHub's Re-run all checks / Re-run failed checks) on suite
 * `checkSuiteId` of Codertocat/Hello-World at `headSha`, asked for by `sender`.
 */
export function checkSuiteRerequested(checkSuiteId: number, headSha: string, sender = "Codertocat"): Record<string, any> {
  const payload = webhookExample("check_suite", "rerequested");
  payload.installation = { id: INSTALLATION_ID, node_id: "MDIzOkludGVncmF0aW9uSW5zdGFsbGF0aW9uMQ==" };
  payload.check_suite.id = checkSuiteId;
  payload.check_suite.head_sha = headSha;
  payload.sender.login = sender;
  payload.sender.type = "User";
  return payload;
}

/** push to Codertocat/Hello-World (has an installation); `ref` as in the payload, e.g. refs/heads/master (its default branch). */
export function pushPayload(ref: string): Record<string, any> {
  const payload = webhookExample("push", undefined as unknown as string, (example) => example.installation !== undefined && String(example.ref).startsWith("refs/heads/"));
  payload.ref = ref;
  return payload;
}
