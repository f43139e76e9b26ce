import nock from "nock";
import { ProbotOctokit } from "probot";
import { describe, expect, it, vi } from "vitest";
import { answerData } from "../../src/bot/github/json-answers.js";
import { logRequestsWhenDebugging, PROBOT_REQUEST_LOGGING } from "../../src/bot/github/request-logging.js";
import { ShadowOpsOctokit, WRITE_BURST } from "../../src/bot/github/shadowops-octokit.js";
import { GITHUB_API, useNockGuards } from "./support/bot-harness.js";

useNockGuards();

describe("the Octokit npm start gives Probot", () => {
  it("sends a command's writes together instead of one a second, still throttled", async () => {
    const octokit = new ShadowOpsOctokit({ auth: { token: "t" }, throttle: { id: "installation-1" } });
    expect((octokit as unknown as { throttle?: unknown }).throttle ?? "plugin active").toBeTruthy();
    nock(GITHUB_API).post("/repos/o/r/check-runs").times(6).reply(201, { id: 1 });
    const started = Date.now();
    await Promise.all(Array.from({ length: 6 }, () => octokit.rest.checks.create({ owner: "o", repo: "r", name: "n", head_sha: "a".repeat(40) })));
    expect(Date.now() - started).toBeLessThan(900);
    expect(WRITE_BURST).toBeGreaterThanOrEqual(6);
  });
});

describe("GitHub's answers, read with JSON.parse (json-answers.ts)", () => {
  const octokit = () => new ShadowOpsOctokit({ auth: { token: "t" }, throttle: { enabled: false }, retry: { enabled: false } });

  it("gives JSON as objects, a raw file as text, no body as nothing, and errors as Octokit does", async () => {
    nock(GITHUB_API)
      .get("/repos/o/r/pulls/1")
      .reply(200, '{"id": 9007199254740993, "number": 1, "head": {"sha": "abc"}}', { "content-type": "application/json; charset=utf-8" })
      .get("/repos/o/r/contents/.github%2Fshadowops.yml")
      .reply(200, "label: bug\n", { "content-type": "application/vnd.github.raw; charset=utf-8" })
      .delete("/repos/o/r/issues/comments/5")
      .reply(204)
      .get("/repos/o/r/pulls/2")
      .reply(404, { message: "Not Found", documentation_url: "https://docs.github.com/rest" }, { "content-type": "application/json; charset=utf-8" });
    const client = octokit();

    const pull = await client.rest.pulls.get({ owner: "o", repo: "r", pull_number: 1 });
    expect(pull.status).toBe(200);
    expect(pull.data).toMatchObject({ number: 1, head: { sha: "abc" } });
    // JSON.parse: a number, not the BigInt json-with-bigint would give (GitHub's ids are far below 2^53).
    expect(typeof pull.data.id).toBe("number");
    const file = await client.request("GET /repos/{owner}/{repo}/contents/{path}", { owner: "o", repo: "r", path: ".github/shadowops.yml", mediaType: { format: "raw" } });
    expect(file.data).toBe("label: bug\n");
    const deleted = await client.rest.issues.deleteComment({ owner: "o", repo: "r", comment_id: 5 });
    expect(deleted.status).toBe(204);
    expect(deleted.data).toBe("");
    await expect(client.rest.pulls.get({ owner: "o", repo: "r", pull_number: 2 })).rejects.toMatchObject({ status: 404, message: expect.stringContaining("Not Found") });
  });

  it("reads a body by its content type as Octokit does", async () => {
    const body = (text: string) => new Response(text);
    await expect(answerData("application/json; charset=utf-8", body('{"a": 1}'))).resolves.toEqual({ a: 1 });
    await expect(answerData("application/scim+json", body('{"a": 1}'))).resolves.toEqual({ a: 1 });
    await expect(answerData("application/json", body("not json"))).resolves.toBe("not json");
    await expect(answerData(undefined, body('{"a": 1}'))).resolves.toBe('{"a": 1}');
    await expect(answerData("text/plain", body('{"a": 1}'))).resolves.toBe('{"a": 1}');
    await expect(answerData("application/vnd.github.raw; charset=UTF-8", body('{"a": 1}'))).resolves.toBe('{"a": 1}');
    await expect(answerData("application/octet-stream; charset=utf-8", body('{"a": 1}'))).resolves.toBeInstanceOf(ArrayBuffer);
    await expect(answerData("application/zip", body('{"a": 1}'))).resolves.toBeInstanceOf(ArrayBuffer);
  });
});

describe("request logging (request-logging.ts)", () => {
  const names = (plugins: readonly { name: string }[]) => plugins.map((plugin) => plugin.name);

  it("has Probot's plugins, with Probot's request logging swapped for ours in its place", () => {
    // Fails when Probot renames or drops its plugin: the swap would silently stop happening.
    expect(names(ProbotOctokit.plugins)).toContain(PROBOT_REQUEST_LOGGING);
    const expected = names(ProbotOctokit.plugins).map((name) => (name === PROBOT_REQUEST_LOGGING ? logRequestsWhenDebugging.name : name));
    expect(names(ShadowOpsOctokit.plugins).slice(0, expected.length)).toEqual(expected);
    expect(names(ShadowOpsOctokit.plugins)).not.toContain(PROBOT_REQUEST_LOGGING);
  });

  /**
   * A client whose log writes debug lines or not, as pino's does; counts the parses of request
   * options through the client's own endpoint, which the log line uses (`rest.*` methods send
   * through endpoints of their own).
   */
  function clientLoggingAt(level: "debug" | "info") {
    const log = { debug: vi.fn(), info: vi.fn(), warn: vi.fn(), error: vi.fn(), isLevelEnabled: (at: string) => at !== "debug" || level === "debug" };
    const client = new ShadowOpsOctokit({ auth: { token: "t" }, log, throttle: { enabled: false }, retry: { enabled: false } });
    const parse = vi.spyOn(client.request.endpoint, "parse");
    return { client, debugLines: () => log.debug.mock.calls.map(([, message]) => message as string), parses: () => parse.mock.calls.length };
  }

  it("writes Probot's debug line for each answer and each error when debug lines are on", async () => {
    nock(GITHUB_API).get("/repos/o/r/pulls/1").reply(200, { number: 1 }).get("/repos/o/r/pulls/2").reply(404, { message: "Not Found" });
    const { client, debugLines } = clientLoggingAt("debug");
    await client.rest.pulls.get({ owner: "o", repo: "r", pull_number: 1 });
    await expect(client.rest.pulls.get({ owner: "o", repo: "r", pull_number: 2 })).rejects.toMatchObject({ status: 404 });
    expect(debugLines()).toEqual([`GitHub request: GET ${GITHUB_API}/repos/o/r/pulls/1 - 200`, `GitHub request: GET ${GITHUB_API}/repos/o/r/pulls/2 - 404`]);
  });

  it("does not parse a request's options again when debug lines are off", async () => {
    nock(GITHUB_API).get("/repos/o/r/pulls/1").times(2).reply(200, { number: 1 });
    const quiet = clientLoggingAt("info");
    await quiet.client.rest.pulls.get({ owner: "o", repo: "r", pull_number: 1 });
    expect(quiet.debugLines()).toEqual([]);
    expect(quiet.parses()).toBe(0);
    // With debug lines on, once for the line (Probot's plugin did so at every level).
    const verbose = clientLoggingAt("debug");
    await verbose.client.rest.pulls.get({ owner: "o", repo: "r", pull_number: 1 });
    expect(verbose.parses()).toBe(1);
  });
});
