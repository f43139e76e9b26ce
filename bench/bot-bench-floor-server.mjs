/**
 * Child process of bot-bench.ts: what this machine can do at best. A bare node:http server that
 * does the unavoidable part of a `/shadow test` and nothing else: checks the webhook's HMAC,
 * parses it, and makes the same eight requests as the bot, in the same three rounds, with
 * bodies of about the bot's sizes, over one keep-alive pool, to the same fake APIs; then
 * answers. No Probot, Octokit, SQLite, templates or logging. The bot's numbers are read against
 * it: a target this server misses is out of reach for this machine, not for the bot.
 * Answers {type: "cpu"} with the CPU time it has used.
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import { Agent, createServer, request } from "node:http";

const fake = { host: "127.0.0.1", port: Number(process.env.BENCH_FAKE_PORT) };
const secret = process.env.WEBHOOK_SECRET ?? "";
const agent = new Agent({ keepAlive: true, maxSockets: 256 });
const HEAD_SHA = "4f3c2b1a0e9d8c7b6a5f4e3d2c1b0a9f8e7d6c5b";

function call(method, path, body) {
  return new Promise((resolve, reject) => {
    const data = body === undefined ? undefined : JSON.stringify(body);
    const headers = { accept: "application/vnd.github+json", authorization: "token ghs_bench", "user-agent": "floor", "x-github-api-version": "2022-11-28" };
    if (data !== undefined) Object.assign(headers, { "content-type": "application/json; charset=utf-8", "content-length": Buffer.byteLength(data) });
    const req = request({ ...fake, method, path, agent, headers }, (res) => {
      const chunks = [];
      res.on("data", (chunk) => chunks.push(chunk));
      res.on("end", () => resolve(JSON.parse(Buffer.concat(chunks).toString("utf8"))));
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end(data);
  });
}

async function command(payload) {
  const repo = payload.repository.name;
  const number = payload.issue.number;
  const base = `/api/v3/repos/bench/${repo}`;
  const externalId = `bench-${repo}-pr-${number}`;
  const output = { title: "Queued", summary: "Waiting for the CircleCI pipeline to start. ".repeat(8) };
  await Promise.all([
    call("POST", `${base}/issues/comments/${payload.comment.id}/reactions`, { content: "eyes" }),
    call("GET", `${base}/collaborators/${payload.sender.login}/permission`),
    call("GET", `${base}/pulls/${number}`),
  ]);
  await Promise.all([
    call("POST", `${base}/check-runs`, { name: "ShadowOps / environment", head_sha: HEAD_SHA, status: "queued", external_id: externalId, output }),
    call("POST", `${base}/check-runs`, { name: "ShadowOps / DAG sales_daily", head_sha: HEAD_SHA, status: "queued", external_id: `${externalId}:sales_daily`, output }),
    call("POST", `${base}/deployments`, { ref: HEAD_SHA, environment: externalId, transient_environment: true, auto_merge: false, required_contexts: [], description: "queued" }),
    call("POST", `/circleci/api/v2/project/gh/bench/${repo}/pipeline`, {
      parameters: { shadowops_action: "test", shadowops_environment: externalId, shadowops_repository: `bench/${repo}`, shadowops_pull_request: number, shadowops_commit: HEAD_SHA },
    }),
  ]);
  await call("POST", `${base}/issues/${number}/comments`, { body: "| state | requested |\n".repeat(60) });
}

const server = createServer((req, res) => {
  const chunks = [];
  req.on("data", (chunk) => chunks.push(chunk));
  req.on("end", () => {
    const raw = Buffer.concat(chunks);
    const expected = Buffer.from(`sha256=${createHmac("sha256", secret).update(raw).digest("hex")}`);
    const given = Buffer.from(String(req.headers["x-hub-signature-256"] ?? ""));
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      res.writeHead(400).end("bad signature");
      return;
    }
    const payload = JSON.parse(raw.toString("utf8"));
    const work = payload.comment.body.startsWith("/shadow") ? command(payload) : Promise.resolve();
    work.then(
      () => res.writeHead(200).end("ok"),
      (error) => res.writeHead(500).end(String(error)),
    );
  });
});
server.listen(Number(process.env.BENCH_BOT_PORT), "127.0.0.1", () => process.send?.({ type: "ready" }));
process.on("message", (message) => {
  if (message.type !== "cpu") return;
  const cpu = process.cpuUsage();
  process.send?.({ type: "cpu", cpuMs: (cpu.user + cpu.system) / 1_000 });
});
process.on("disconnect", () => process.exit(0));
