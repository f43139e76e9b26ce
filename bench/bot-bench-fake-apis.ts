/**
 * Child process of bot-bench.ts: a fake GitHub REST API (under /api/v3) and CircleCI API v2
 * (under /circleci/api/v2) on 127.0.0.1 that answer every request after BENCH_LATENCY_MS,
 * and tell the parent (IPC) when the reaction, the queued check and the pipeline trigger of a
 * pull request arrive, with their wall-clock time. Answers {type: "cpu"} with the CPU time it has used.
 */
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { performance } from "node:perf_hooks";

const LATENCY_MS = Number(process.env.BENCH_LATENCY_MS ?? 100);
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

function answer(method: string, path: string, text: string): { status: number; json?: unknown; raw?: string } {
  let match: RegExpMatchArray | null;
  if ((match = path.match(/^\/circleci\/api\/v2\/project\/gh\/([^/]+)\/([^/]+)\/pipeline$/)) && method === "POST") {
    const parameters = (JSON.parse(text) as { parameters: { shadowops_pull_request: number } }).parameters;
    mark(`${match[2]}#${parameters.shadowops_pull_request}`, "trigger");
    return { status: 201, json: { id: `pipeline-${nextId++}`, number: nextId, state: "pending" } };
  }
  if (/^\/api\/v3\/app\/installations\/\d+\/access_tokens$/.test(path)) {
    return { status: 201, json: { token: "ghs_bench", expires_at: "2099-01-01T00:00:00Z", permissions: {} } };
  }
  // The bot's sweep for failed deliveries (30 s after it starts): none failed.
  if (path === "/api/v3/app/hook/deliveries") return { status: 200, json: [] };
  if (!(match = path.match(/^\/api\/v3\/repos\/([^/]+)\/([^/]+)(\/.*)$/))) {
    console.error(`bench fake: no answer for ${method} ${path}`);
    return { status: 404, json: { message: "Not Found" } };
  }
  const [, , repo, rest = ""] = match;
  if (/^\/contents\//.test(rest)) return { status: 200, raw: CONFIG };
  if (/^\/collaborators\/[^/]+\/permission$/.test(rest)) return { status: 200, json: { permission: "write", role_name: "write" } };
  if ((match = rest.match(/^\/pulls\/(\d+)$/))) {
    return {
      status: 200,
      json: {
        number: Number(match[1]),
        state: "open",
        html_url: `https://github.com/bench/${repo}/pull/${match[1]}`,
        user: { login: "bench" },
        head: { sha: "4f3c2b1a0e9d8c7b6a5f4e3d2c1b0a9f8e7d6c5b", repo: { full_name: `bench/${repo}` } },
        base: { ref: "main", repo: { full_name: `bench/${repo}` } },
      },
    };
  }
  if ((match = rest.match(/^\/issues\/comments\/(\d+)\/reactions$/))) {
    // The benchmark's comment id is the PR number.
    mark(`${repo}#${match[1]}`, "reaction");
    return { status: 201, json: { id: nextId++, content: "eyes" } };
  }
  if (rest === "/check-runs" && method === "POST") {
    const check = JSON.parse(text) as { name: string; external_id: string };
    const pr = /-pr-(\d+)$/.exec(check.external_id)?.[1];
    if (check.name === "ShadowOps / environment" && pr) mark(`${repo}#${pr}`, "check");
    return { status: 201, json: { id: nextId++ } };
  }
  if (/^\/check-runs\/\d+$/.test(rest)) return { status: 200, json: { id: 1 } };
  if (rest === "/deployments") return { status: 201, json: { id: nextId++ } };
  if (/^\/deployments\/\d+\/statuses$/.test(rest)) return { status: 201, json: { id: nextId++ } };
  if (/^\/issues\/\d+\/comments$/.test(rest)) return method === "GET" ? { status: 200, json: [] } : { status: 201, json: { id: nextId++ } };
  if (/^\/issues\/comments\/\d+$/.test(rest)) return { status: 200, json: { id: 1 } };
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
    else res.writeHead(reply.status, { "content-type": "application/json; charset=utf-8" }).end(JSON.stringify(reply.json));
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
