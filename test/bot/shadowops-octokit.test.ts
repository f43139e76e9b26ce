import nock from "nock";
import { describe, expect, it } from "vitest";
import { answerData } from "../../src/bot/github/json-answers.js";
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
