import nock from "nock";
import { Probot, ProbotOctokit } from "probot";
import { describe, expect, it, vi } from "vitest";
import { answerData } from "../../src/bot/github/json-answers.js";
import { logRequestsWhenDebugging, PROBOT_REQUEST_LOGGING } from "../../src/bot/github/request-logging.js";
import { OCTOKIT_RETRY, retryFailedRequests } from "../../src/bot/github/request-retry.js";
import { ShadowOpsOctokit, WRITE_BURST } from "../../src/bot/github/shadowops-octokit.js";
import { GITHUB_API, TEST_PRIVATE_KEY, useNockGuards, WEBHOOK_SECRET } from "./support/bot-harness.js";
import { prComment } from "./support/webhook-examples.js";

useNockGuards();

describe("the Octokit npm start gives Probot", () => {
  const createCheck = (octokit: InstanceType<typeof ShadowOpsOctokit>) =>
    octokit.rest.checks.create({ owner: "o", repo: "r", name: "n", head_sha: "a".repeat(40) });

  it("sends a command's writes together instead of one a second", async () => {
    const octokit = new ShadowOpsOctokit({ auth: { token: "t" }, throttle: { id: "installation-1" } });
    nock(GITHUB_API).post("/repos/o/r/check-runs").times(6).reply(201, { id: 1 });
    const started = Date.now();
    await Promise.all(Array.from({ length: 6 }, () => createCheck(octokit)));
    expect(Date.now() - started).toBeLessThan(900);
    expect(WRITE_BURST).toBeGreaterThanOrEqual(6);
  });

  it("still holds the writes after a burst: the next waits for the one-a-second refill", async () => {
    // Limits are kept per installation for the whole process: a fresh id starts with a full burst.
    const octokit = new ShadowOpsOctokit({ auth: { token: "t" }, throttle: { id: "installation-burst" } });
    const sentAt: number[] = [];
    nock(GITHUB_API)
      .post("/repos/o/r/check-runs")
      .times(WRITE_BURST + 1)
      .reply(() => {
        sentAt.push(Date.now());
        return [201, { id: 1 }];
      });
    await Promise.all(Array.from({ length: WRITE_BURST + 1 }, () => createCheck(octokit)));
    expect(sentAt).toHaveLength(WRITE_BURST + 1);
    expect(sentAt[WRITE_BURST]! - sentAt[0]!).toBeGreaterThanOrEqual(900);
  });
});

describe("throttling per installation", () => {
  /**
   * GitHub spaces comments (requests that notify people) per installation; Octokit's throttle
   * holds an installation's second comment about 3 s. Installation 1 comments from a webhook's
   * handler (context.octokit), then again through app.auth(1), as a callback does; installation 2
   * comments from its own webhook meanwhile. Its comment must not wait behind installation 1's.
   */
  it("holds one installation's writes without holding another's, for webhook handlers and app.auth alike", { timeout: 15_000 }, async () => {
    const probot = new Probot({ appId: 123, privateKey: TEST_PRIVATE_KEY, secret: WEBHOOK_SECRET, logLevel: "fatal", Octokit: ShadowOpsOctokit });
    const arrived: string[] = [];
    let firstCommented: () => void = () => {};
    const firstComment = new Promise<void>((resolve) => (firstCommented = resolve));
    const scope = nock(GITHUB_API);
    for (const installation of [1, 2]) {
      scope.post(`/app/installations/${installation}/access_tokens`).reply(201, { token: `ghs_installation_${installation}`, expires_at: "2099-01-01T00:00:00Z" });
    }
    scope
      .post("/repos/Codertocat/Hello-World/issues/2/comments")
      .times(3)
      .reply(function (_uri, body) {
        arrived.push(`${this.req.headers.authorization} ${(body as { body: string }).body}`);
        if (arrived.length === 1) firstCommented();
        return [201, { id: arrived.length }];
      });
    const comment = (octokit: ShadowOpsOctokit, body: string) => octokit.rest.issues.createComment({ owner: "Codertocat", repo: "Hello-World", issue_number: 2, body });
    probot.on("issue_comment.created", async (context) => {
      await comment(context.octokit as ShadowOpsOctokit, context.payload.comment.body);
    });

    const one = probot.receive({ id: "delivery-1", name: "issue_comment", payload: prComment("from a webhook of installation 1") } as Parameters<Probot["receive"]>[0]);
    await firstComment;
    const again = comment((await probot.auth(1)) as ShadowOpsOctokit, "from a callback of installation 1");
    const other = prComment("from a webhook of installation 2");
    other.installation.id = 2;
    await probot.receive({ id: "delivery-2", name: "issue_comment", payload: other } as Parameters<Probot["receive"]>[0]);
    await Promise.all([one, again]);

    expect(arrived).toEqual([
      "token ghs_installation_1 from a webhook of installation 1",
      "token ghs_installation_2 from a webhook of installation 2",
      "token ghs_installation_1 from a callback of installation 1",
    ]);
  });
});

describe("retries (request-retry.ts), as @octokit/plugin-retry does them", () => {
  // Waits of 1, 4 and 9 ms instead of seconds.
  const client = (retry: object = {}, throttle: object = { enabled: false }) =>
    new ShadowOpsOctokit({ auth: { token: "t" }, throttle, retry: { retryAfterBaseValue: 1, ...retry } });
  const getPull = (octokit: ShadowOpsOctokit, request: object = {}) => octokit.request("GET /repos/{owner}/{repo}/pulls/{pull_number}", { owner: "o", repo: "r", pull_number: 1, request });

  it("sends a request that GitHub answered with 5xx, or that failed on the network, again", async () => {
    nock(GITHUB_API)
      .get("/repos/o/r/pulls/1").reply(502, { message: "Server Error" })
      .get("/repos/o/r/pulls/1").replyWithError(Object.assign(new Error("socket hang up"), { code: "ECONNRESET" }))
      .get("/repos/o/r/pulls/1").reply(500, { message: "Server Error" })
      .get("/repos/o/r/pulls/1").reply(200, { number: 1 });
    const answer = await getPull(client());
    expect(answer.data).toEqual({ number: 1 });
  });

  it("gives up after 3 retries with the last error", async () => {
    nock(GITHUB_API).get("/repos/o/r/pulls/1").times(4).reply(503, { message: "Unavailable" });
    await expect(getPull(client())).rejects.toMatchObject({ status: 503 });
  });

  it("does not send again what would get the same answer, nor when the request or client says not to", async () => {
    nock(GITHUB_API)
      .get("/repos/o/r/pulls/1").reply(404, { message: "Not Found" })
      .get("/repos/o/r/pulls/1").reply(422, { message: "Validation Failed" })
      .get("/repos/o/r/pulls/1").reply(500, { message: "Server Error" })
      .get("/repos/o/r/pulls/1").reply(500, { message: "Server Error" });
    await expect(getPull(client())).rejects.toMatchObject({ status: 404 });
    await expect(getPull(client())).rejects.toMatchObject({ status: 422 });
    await expect(getPull(client(), { retries: 0 })).rejects.toMatchObject({ status: 500 });
    await expect(getPull(client({ enabled: false }))).rejects.toMatchObject({ status: 500 });
  });

  it("leaves rate-limit answers to the throttling plugin, which waits Retry-After and sends again", async () => {
    nock(GITHUB_API)
      .post("/repos/o/r/check-runs")
      .reply(403, { message: "You have exceeded a secondary rate limit. Please wait a few minutes before you try again." }, { "retry-after": "1" })
      .post("/repos/o/r/check-runs")
      .reply(201, { id: 7 });
    // Probot's handler asks for the retry; the wait is Retry-After times 1 ms here.
    const octokit = client({}, { id: "rate-limited-installation", retryAfterBaseValue: 1 });
    const created = await octokit.rest.checks.create({ owner: "o", repo: "r", name: "n", head_sha: "a".repeat(40) });
    expect(created.data).toEqual({ id: 7 });
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

  it("has Probot's plugins, with Probot's request logging and Octokit's retry swapped for ours in their places", () => {
    // Fails when Probot renames or drops either plugin: the swap would silently stop happening.
    expect(names(ProbotOctokit.plugins)).toContain(PROBOT_REQUEST_LOGGING);
    expect(names(ProbotOctokit.plugins)).toContain(OCTOKIT_RETRY);
    const ours: Record<string, string> = { [PROBOT_REQUEST_LOGGING]: logRequestsWhenDebugging.name, [OCTOKIT_RETRY]: retryFailedRequests.name };
    const expected = names(ProbotOctokit.plugins).map((name) => ours[name] ?? name);
    expect(names(ShadowOpsOctokit.plugins).slice(0, expected.length)).toEqual(expected);
    expect(names(ShadowOpsOctokit.plugins)).not.toContain(PROBOT_REQUEST_LOGGING);
    expect(names(ShadowOpsOctokit.plugins)).not.toContain(OCTOKIT_RETRY);
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
