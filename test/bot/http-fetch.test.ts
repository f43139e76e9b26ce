import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ShadowOpsOctokit } from "../../src/bot/github/shadowops-octokit.js";
import { createHttpFetch } from "../../src/bot/http/http-fetch.js";

/** A real HTTP server on 127.0.0.1: what the bot's HTTP client sends, and answers it has to read. */
let server: Server;
let base: string;
const seen: { method: string; url: string; headers: IncomingMessage["headers"]; body: string }[] = [];

function route(req: IncomingMessage, res: ServerResponse, body: string): void {
  const url = req.url ?? "";
  if (url === "/json") return void res.writeHead(201, { "content-type": "application/json", "x-twice": ["a", "b"] }).end(JSON.stringify({ echo: body }));
  if (url === "/see-other") return void res.writeHead(303, { location: "/json" }).end();
  if (url === "/temporary") return void res.writeHead(307, { location: `${base}/json` }).end();
  if (url.startsWith("/elsewhere?to=")) return void res.writeHead(307, { location: decodeURIComponent(url.slice("/elsewhere?to=".length)) }).end();
  if (url === "/loop") return void res.writeHead(302, { location: "/loop" }).end();
  if (url === "/slow") return void setTimeout(() => res.writeHead(200).end("late"), 2_000);
  if (url === "/repos/o/r/pulls/1") return void res.writeHead(404, { "content-type": "application/json" }).end(JSON.stringify({ message: "Not Found" }));
  if (url === "/repos/o/r/issues/1/comments") return void res.writeHead(201, { "content-type": "application/json; charset=utf-8" }).end(JSON.stringify({ id: 7 }));
  res.writeHead(500).end("no route");
}

beforeAll(async () => {
  server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString("utf8");
    seen.push({ method: req.method ?? "", url: req.url ?? "", headers: req.headers, body });
    route(req, res, body);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

describe("the bot's HTTP client (httpFetch)", () => {
  const fetch = createHttpFetch();

  it("sends the method, headers and body, and reads status, headers and body", async () => {
    seen.length = 0;
    const response = await fetch(`${base}/json`, { method: "POST", headers: { "content-type": "application/json", "Circle-Token": "t" }, body: '{"a":1}' });
    expect(response.status).toBe(201);
    expect(response.ok).toBe(true);
    expect(response.headers.get("Content-Type")).toBe("application/json");
    expect(response.headers.get("x-twice")).toBe("a, b");
    expect(Object.fromEntries(response.headers)).toMatchObject({ "content-type": "application/json" });
    expect(await response.json()).toEqual({ echo: '{"a":1}' });
    expect(seen[0]).toMatchObject({ method: "POST", url: "/json", body: '{"a":1}', headers: { "circle-token": "t", "content-length": "7" } });
  });

  it("follows redirects as fetch does: a 303 becomes a GET without the body, a 307 keeps both", async () => {
    seen.length = 0;
    const afterSeeOther = await fetch(`${base}/see-other`, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
    expect(afterSeeOther.status).toBe(201);
    expect(seen.map(({ method, url, body }) => [method, url, body])).toEqual([["POST", "/see-other", "{}"], ["GET", "/json", ""]]);
    seen.length = 0;
    await fetch(`${base}/temporary`, { method: "POST", body: "{}" });
    expect(seen.map(({ method, url, body }) => [method, url, body])).toEqual([["POST", "/temporary", "{}"], ["POST", "/json", "{}"]]);
    await expect(fetch(`${base}/loop`)).rejects.toThrow("too many redirects");
  });

  it("fails like fetch when nothing answers, and stops when its signal aborts", async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    await expect(fetch(`http://127.0.0.1:${port}/`)).rejects.toMatchObject({ name: "TypeError", message: "fetch failed", cause: { code: "ECONNREFUSED" } });
    const started = Date.now();
    await expect(fetch(`${base}/slow`, { signal: AbortSignal.timeout(100) })).rejects.toMatchObject({ name: "TimeoutError" });
    expect(Date.now() - started).toBeLessThan(1_500);
  });

  it("gives up on a request whose server stays silent, saying how long it waited", async () => {
    const impatient = createHttpFetch({ requestTimeoutMs: 200 });
    await expect(impatient(`${base}/slow`)).rejects.toMatchObject({
      name: "TypeError",
      message: "fetch failed",
      cause: { message: expect.stringMatching(/^no answer from 127\.0\.0\.1:\d+ within 200 ms$/) },
    });
  });

  it("follows a redirect to another origin without the Authorization header, as fetch does", async () => {
    const other = createServer((req, res) => {
      seen.push({ method: req.method ?? "", url: req.url ?? "", headers: req.headers, body: "" });
      res.writeHead(200, { "content-type": "application/json" }).end("{}");
    });
    await new Promise<void>((resolve) => other.listen(0, "127.0.0.1", resolve));
    try {
      const target = `http://127.0.0.1:${(other.address() as AddressInfo).port}/landed`;
      seen.length = 0;
      const sameOrigin = await fetch(`${base}/see-other`, { headers: { authorization: "token ghs_secret" } });
      expect(sameOrigin.status).toBe(201);
      expect(seen.map((request) => request.headers.authorization)).toEqual(["token ghs_secret", "token ghs_secret"]);
      seen.length = 0;
      await fetch(`${base}/elsewhere?to=${encodeURIComponent(target)}`, { headers: { authorization: "token ghs_secret", accept: "application/json" } });
      expect(seen.map((request) => [request.url, request.headers.authorization, request.headers.accept])).toEqual([
        [`/elsewhere?to=${encodeURIComponent(target)}`, "token ghs_secret", "application/json"],
        ["/landed", undefined, "application/json"],
      ]);
    } finally {
      other.closeAllConnections();
      await new Promise((resolve) => other.close(resolve));
    }
  });

  it("serves Octokit: answers become data, a 404 a RequestError with its status", async () => {
    const octokit = new ShadowOpsOctokit({ auth: { token: "ghs_token" }, baseUrl: base, retry: { enabled: false }, throttle: { enabled: false } });
    const { data, status } = await octokit.rest.issues.createComment({ owner: "o", repo: "r", issue_number: 1, body: "hi" });
    expect([status, data]).toEqual([201, { id: 7 }]);
    await expect(octokit.rest.pulls.get({ owner: "o", repo: "r", pull_number: 1 })).rejects.toMatchObject({ status: 404, name: "HttpError" });
    expect(seen.at(-2)?.headers.authorization).toBe("token ghs_token");
  });
});
