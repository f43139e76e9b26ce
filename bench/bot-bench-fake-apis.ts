/**
 * Child process of bot-bench.ts: a fake GitHub REST API (under /api/v3) and CircleCI API v2
 * (under /circleci/api/v2) on 127.0.0.1 that answer every request after BENCH_LATENCY_MS,
 * and tell the parent (IPC) when the reaction, the queued check and the pipeline trigger of a
 * pull request arrive, with their wall-clock time. Answers {type: "cpu"} with the CPU time it has used.
 * GitHub's answers are the example bodies of GitHub's OpenAPI description (a pull request is
 * 22 kB, a check run 2.5 kB), with the fields the bot reads set: reading GitHub's answers is
 * part of what a command costs.
 */
import { readFileSync } from "node:fs";
import { createServer, type IncomingMessage } from "node:http";
import { createRequire } from "node:module";
import type { AddressInfo } from "node:net";
import { performance } from "node:perf_hooks";

const LATENCY_MS = Number(process.env.BENCH_LATENCY_MS ?? 100);

type Json = Record<string, any>;

/** GitHub's example answer of an operation, from @octokit/openapi. */
function loadExamples(): (path: string, method: string, status: string) => Json {
  const require = createRequire(import.meta.url);
  const spec = JSON.parse(readFileSync(require.resolve("@octokit/openapi/generated/api.github.com.deref.json"), "utf8")) as { paths: Json };
  return (path, method, status) => {
    const content = spec.paths[path][method].responses[status].content["application/json"];
    return structuredClone(content.examples ? (Object.values(content.examples)[0] as { value: Json }).value : content.example);
  };
}

const example = loadExamples();
const EXAMPLES = {
  pull: example("/repos/{owner}/{repo}/pulls/{pull_number}", "get", "200"),
  permission: example("/repos/{owner}/{repo}/collaborators/{username}/permission", "get", "200"),
  reaction: example("/repos/{owner}/{repo}/issues/comments/{comment_id}/reactions", "post", "201"),
  checkRun: example("/repos/{owner}/{repo}/check-runs", "post", "201"),
  deployment: example("/repos/{owner}/{repo}/deployments", "post", "201"),
  deploymentStatus: example("/repos/{owner}/{repo}/deployments/{deployment_id}/statuses", "post", "201"),
  comment: example("/repos/{owner}/{repo}/issues/{issue_number}/comments", "post", "201"),
  token: example("/app/installations/{installation_id}/access_tokens", "post", "201"),
};
const HEAD_SHA = "4f3c2b1a0e9d8c7b6a5f4e3d2c1b0a9f8e7d6c5b";
// What the bot reads of a pull request, as placeholders filled in per request.
Object.assign(EXAMPLES.pull, { number: 424242, state: "open", html_url: "https://github.com/bench/REPO_NAME/pull/424242", draft: false });
EXAMPLES.pull.user.login = "bench";
EXAMPLES.pull.head.sha = HEAD_SHA;
EXAMPLES.pull.head.repo.full_name = "bench/REPO_NAME";
EXAMPLES.pull.base.repo.full_name = "bench/REPO_NAME";
Object.assign(EXAMPLES.permission, { permission: "write", role_name: "write" });
Object.assign(EXAMPLES.token, { token: "ghs_bench", expires_at: "2099-01-01T00:00:00Z" });
/** The example bodies as text with a placeholder id: an answer is the text with its id put in (cheap for the fake). */
const TEXTS = Object.fromEntries(Object.entries(EXAMPLES).map(([name, body]) => [name, JSON.stringify({ ...body, id: 987654321 })])) as Record<keyof typeof EXAMPLES, string>;
const withId = (name: keyof typeof EXAMPLES, id: number) => TEXTS[name].replace("987654321", String(id));
const pullRequest = (repo: string, number: string) => TEXTS.pull.replaceAll("REPO_NAME", repo).replaceAll("424242", number);
const CONFIG = "max_live_environments: 100\ndags: [sales_daily]\n";
let nextId = 1_000;

export interface Mark {
  key: string;
  kind: "reaction" | "check" | "trigger";
  at: number;
}

function wallClock(): number {
  return performance.timeOrigin + performance.now();
}

function mark(key: string, kind: Mark["kind"]): void {
  process.send?.({ type: "mark", mark: { key, kind, at: wallClock() } satisfies Mark });
}

async function body(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

/** `text`: a JSON answer already serialized. */
function answer(method: string, path: string, text: string): { status: number; json?: unknown; text?: string; raw?: string } {
  let match: RegExpMatchArray | null;
  if ((match = path.match(/^\/circleci\/api\/v2\/project\/gh\/([^/]+)\/([^/]+)\/pipeline$/)) && method === "POST") {
    const parameters = (JSON.parse(text) as { parameters: { shadowops_pull_request: number } }).parameters;
    mark(`${match[2]}#${parameters.shadowops_pull_request}`, "trigger");
    return { status: 201, json: { id: `pipeline-${nextId++}`, number: nextId, state: "pending" } };
  }
  if (/^\/api\/v3\/app\/installations\/\d+\/access_tokens$/.test(path)) {
    return { status: 201, text: TEXTS.token };
  }
  // The bot's sweep for failed deliveries (30 s after it starts): none failed.
  if (path === "/api/v3/app/hook/deliveries") return { status: 200, json: [] };
  if (!(match = path.match(/^\/api\/v3\/repos\/([^/]+)\/([^/]+)(\/.*)$/))) {
    console.error(`bench fake: no answer for ${method} ${path}`);
    return { status: 404, json: { message: "Not Found" } };
  }
  const [, , repo, rest = ""] = match;
  if (/^\/contents\//.test(rest)) return { status: 200, raw: CONFIG };
  if (/^\/collaborators\/[^/]+\/permission$/.test(rest)) return { status: 200, text: TEXTS.permission };
  if ((match = rest.match(/^\/pulls\/(\d+)$/))) return { status: 200, text: pullRequest(repo ?? "", match[1] ?? "") };
  if ((match = rest.match(/^\/issues\/comments\/(\d+)\/reactions$/))) {
    // The benchmark's comment id is the PR number.
    mark(`${repo}#${match[1]}`, "reaction");
    return { status: 201, text: withId("reaction", nextId++) };
  }
  if (rest === "/check-runs" && method === "POST") {
    const check = JSON.parse(text) as { name: string; external_id: string };
    const pr = /-pr-(\d+)$/.exec(check.external_id)?.[1];
    if (check.name === "ShadowOps / environment" && pr) mark(`${repo}#${pr}`, "check");
    return { status: 201, text: withId("checkRun", nextId++) };
  }
  if ((match = rest.match(/^\/check-runs\/(\d+)$/))) return { status: 200, text: withId("checkRun", Number(match[1])) };
  if (rest === "/deployments") return { status: 201, text: withId("deployment", nextId++) };
  if (/^\/deployments\/\d+\/statuses$/.test(rest)) return { status: 201, text: withId("deploymentStatus", nextId++) };
  if (/^\/issues\/\d+\/comments$/.test(rest)) return method === "GET" ? { status: 200, json: [] } : { status: 201, text: withId("comment", nextId++) };
  if ((match = rest.match(/^\/issues\/comments\/(\d+)$/))) return { status: 200, text: withId("comment", Number(match[1])) };
  console.error(`bench fake: no answer for ${method} ${path}`);
  return { status: 404, json: { message: `no fake for ${method} ${path}` } };
}

const server = createServer(async (req, res) => {
  const text = await body(req);
  const path = (req.url ?? "").split("?")[0] ?? "";
  const reply = answer(req.method ?? "GET", decodeURIComponent(path), text);
  if (process.env.BENCH_TRACE) console.error(req.method, path, reply.status, text.slice(0, 600));
  setTimeout(() => {
    if (reply.raw !== undefined) res.writeHead(reply.status, { "content-type": "application/vnd.github.raw; charset=utf-8" }).end(reply.raw);
    else res.writeHead(reply.status, { "content-type": "application/json; charset=utf-8" }).end(reply.text ?? JSON.stringify(reply.json));
  }, LATENCY_MS);
});
server.keepAliveTimeout = 60_000;
server.listen(0, "127.0.0.1", () => {
  process.send?.({ type: "ready", port: (server.address() as AddressInfo).port });
});
process.on("message", (message: { type?: string }) => {
  if (message.type !== "cpu") return;
  const cpu = process.cpuUsage();
  process.send?.({ type: "cpu", cpuMs: (cpu.user + cpu.system) / 1_000 });
});
process.on("disconnect", () => process.exit(0));
