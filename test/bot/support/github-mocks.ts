import type nock from "nock";
import { STICKY_MARKER } from "../../../src/bot/github/comments.js";
import { capture, github, HEAD_SHA, REPO } from "./bot-harness.js";

/** The config file read through context.config: raw YAML, or none (then the org's .github repo is tried). */
export function configFile(yaml: string | null, scope: nock.Scope = github()): nock.Scope {
  const path = /\/contents\/\.github(%2F|\/)shadowops\.yml/;
  if (yaml === null) {
    return scope
      .get((uri) => uri.startsWith(`${REPO}/contents/`) && path.test(uri))
      .reply(404, { message: "Not Found" })
      .get((uri) => uri.startsWith("/repos/Codertocat/.github/contents/") && path.test(uri))
      .reply(404, { message: "Not Found" });
  }
  return scope
    .get((uri) => uri.startsWith(`${REPO}/contents/`) && path.test(uri))
    .reply(200, yaml, { "content-type": "application/vnd.github.raw; charset=utf-8" });
}

export function permission(login: string, role: "admin" | "maintain" | "write" | "triage" | "read" | "none", scope: nock.Scope = github()): nock.Scope {
  const permissionLevel = role === "maintain" ? "write" : role === "triage" ? "read" : role;
  return scope
    .get(`${REPO}/collaborators/${login}/permission`)
    .reply(200, { permission: permissionLevel, role_name: role, user: { login } });
}

export interface PullOptions {
  headSha?: string;
  fork?: boolean;
  state?: "open" | "closed";
  author?: string;
}

export function pullRequest({ headSha = HEAD_SHA, fork = false, state = "open", author = "Codertocat" }: PullOptions = {}, scope: nock.Scope = github()): nock.Scope {
  return scope.get(`${REPO}/pulls/2`).reply(200, {
    number: 2,
    state,
    html_url: "https://github.com/Codertocat/Hello-World/pull/2",
    user: { login: author },
    head: { sha: headSha, ref: "changes", repo: { full_name: fork ? "forker/Hello-World" : "Codertocat/Hello-World" } },
    base: { ref: "master", repo: { full_name: "Codertocat/Hello-World" } },
  });
}

/** The files PR #2 changes (one page). */
export function changedFiles(files: { filename: string; previous_filename?: string }[], scope: nock.Scope = github()): nock.Scope {
  return scope
    .get(`${REPO}/pulls/2/files`)
    .query(true)
    .reply(
      200,
      files.map((file, index) => ({
        sha: "0".repeat(39) + String(index),
        status: file.previous_filename ? "renamed" : "modified",
        additions: 1,
        deletions: 1,
        changes: 2,
        blob_url: `https://github.com/Codertocat/Hello-World/blob/${HEAD_SHA}/${file.filename}`,
        raw_url: `https://github.com/Codertocat/Hello-World/raw/${HEAD_SHA}/${file.filename}`,
        contents_url: `https://api.github.com/repos/Codertocat/Hello-World/contents/${file.filename}?ref=${HEAD_SHA}`,
        ...file,
      })),
    );
}

export function eyes(commentId = 9_001, scope: nock.Scope = github()): nock.Scope {
  return scope.post(`${REPO}/issues/comments/${commentId}/reactions`, { content: "eyes" }).reply(201, { id: 1, content: "eyes" });
}

/** A reply (a new comment that is not the sticky one) whose body is captured; GitHub answers after `delayMs`. */
export function replyComment(bodies: string[], scope: nock.Scope = github(), times = 1, delayMs = 0): nock.Scope {
  return scope
    .post(`${REPO}/issues/2/comments`, (body: { body: string }) => {
      if (body.body.includes(STICKY_MARKER)) return false;
      bodies.push(body.body);
      return true;
    })
    .times(times)
    .delay(delayMs)
    .reply(201, { id: 555 });
}

/** Check runs created (captured), answering with increasing ids from `firstId`. */
export function createChecks(bodies: any[], count: number, firstId = 100, scope: nock.Scope = github()): nock.Scope {
  let id = firstId;
  return scope
    .post(`${REPO}/check-runs`, capture(bodies))
    .times(count)
    .reply(201, () => ({ id: id++ }));
}

/** The check runs of suite `checkSuiteId`, one per external id (null: a run without one). */
export function checkSuiteRuns(checkSuiteId: number, externalIds: (string | null)[], scope: nock.Scope = github()): nock.Scope {
  return scope
    .get(`${REPO}/check-suites/${checkSuiteId}/check-runs`)
    .query(true)
    .reply(200, {
      total_count: externalIds.length,
      check_runs: externalIds.map((externalId, index) => ({ id: 300 + index, name: `ShadowOps check ${index}`, head_sha: HEAD_SHA, external_id: externalId })),
    });
}

export function updateCheck(id: number, bodies: any[], times = 1, scope: nock.Scope = github()): nock.Scope {
  return scope.patch(`${REPO}/check-runs/${id}`, capture(bodies)).times(times).reply(200, { id });
}

export function createDeployment(bodies: any[], id = 700, scope: nock.Scope = github()): nock.Scope {
  return scope.post(`${REPO}/deployments`, capture(bodies)).reply(201, { id });
}

export function deploymentStatus(bodies: any[], id = 700, times = 1, scope: nock.Scope = github()): nock.Scope {
  return scope.post(`${REPO}/deployments/${id}/statuses`, capture(bodies)).times(times).reply(201, { id: 1 });
}

/** The sticky comment: listed (none yet) and created on first write. */
/**
 * The sticky comment created. `searched`: the bot first lists the PR's comments for one it does
 * not remember (it had a record of the PR before); on a PR it never saw, it creates one at once.
 */
export function firstStickyComment(bodies: string[], id = 800, scope: nock.Scope = github(), { searched = false } = {}): nock.Scope {
  if (searched) scope.get(`${REPO}/issues/2/comments`).query(true).reply(200, []);
  return scope
    .post(`${REPO}/issues/2/comments`, (body: { body: string }) => {
      if (!body.body.includes(STICKY_MARKER)) return false;
      bodies.push(body.body);
      return true;
    })
    .reply(201, { id });
}

export function updateStickyComment(bodies: string[], id = 800, times = 1, scope: nock.Scope = github()): nock.Scope {
  return scope
    .patch(`${REPO}/issues/comments/${id}`, (body: { body: string }) => {
      bodies.push(body.body);
      return true;
    })
    .times(times)
    .reply(200, { id });
}
