/**
 * `npm run bench:github-client`: what the bot's GitHub client costs a `/shadow test` as
 * `npm start` runs it, with client-side throttling and retries on (`npm run bench:bot` turns
 * them off, since its one installation would be held to GitHub's write pacing).
 *
 * A fake GitHub in a child process answers every request after 100 ms. This process makes 400
 * commands' requests, 10 commands at a time, each from its own installation (tokens fetched
 * before the clock starts, so no installation is held by the write limits), in the shape of a
 * `/shadow test`: reaction and permission together, the pull request, two checks, the
 * deployment, the comment. It prints CPU time and latency per command, with throttling and
 * retries on and off, and the CPU used in 5 s of quiet afterwards (Bottleneck kept a timer
 * per installation). BENCH_CLIENT_MODULE points at another build of shadowops-octokit.js (a
 * checkout of an older commit, say) to compare. No targets: it reads what throttling adds.
 */
import { execFileSync, fork } from "node:child_process";
import { generateKeyPairSync } from "node:crypto";
import http from "node:http";
import { fileURLToPath, pathToFileURL } from "node:url";
import { Probot } from "probot";

const COMMANDS = 400;
const IN_FLIGHT = 10;
const LATENCY_MS = 100;
const QUIET_MS = 5_000;

type Client = {
  request: (route: string, parameters: Record<string, unknown>) => Promise<unknown>;
};

/** The requests of one `/shadow test`, in the order and grouping the bot sends them. */
async function command(octokit: Client): Promise<void> {
  const repo = { owner: "bench", repo: "warehouse" };
  await Promise.all([
    octokit.request("POST /repos/{owner}/{repo}/issues/comments/{comment_id}/reactions", { ...repo, comment_id: 1, content: "eyes" }),
    octokit.request("GET /repos/{owner}/{repo}/collaborators/{username}/permission", { ...repo, username: "maintainer" }),
  ]);
  await octokit.request("GET /repos/{owner}/{repo}/pulls/{pull_number}", { ...repo, pull_number: 1 });
  await octokit.request("POST /repos/{owner}/{repo}/check-runs", { ...repo, name: "ShadowOps / environment", head_sha: "a".repeat(40) });
  await octokit.request("POST /repos/{owner}/{repo}/check-runs", { ...repo, name: "ShadowOps / dag warehouse_metrics", head_sha: "a".repeat(40) });
  await octokit.request("POST /repos/{owner}/{repo}/deployments", { ...repo, ref: "a".repeat(40) });
  await octokit.request("POST /repos/{owner}/{repo}/issues/{issue_number}/comments", { ...repo, issue_number: 1, body: "shadow requested" });
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
const cpuMs = (since?: NodeJS.CpuUsage) => {
  const used = process.cpuUsage(since);
  return (used.user + used.system) / 1_000;
};

async function measure(label: string, Octokit: unknown, baseUrl: string, installationOffset: number, privateKey: string): Promise<void> {
  const probot = new Probot({ appId: 1, privateKey, secret: "bench", logLevel: "warn", baseUrl, Octokit: Octokit as never });
  const clients: Client[] = [];
  for (let i = 0; i < COMMANDS; i += 1) clients.push((await probot.auth(installationOffset + i)) as unknown as Client);
  await Promise.all(clients.map((client) => client.request("GET /repos/{owner}/{repo}", { owner: "bench", repo: "warehouse" })));

  const latencies: number[] = [];
  let next = 0;
  const cpuBefore = process.cpuUsage();
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      while (next < COMMANDS) {
        const client = clients[next++]!;
        const started = performance.now();
        await command(client);
        latencies.push(performance.now() - started);
      }
    }),
  );
  const perCommand = cpuMs(cpuBefore) / COMMANDS;
  latencies.sort((a, b) => a - b);
  const quietBefore = process.cpuUsage();
  await new Promise((resolve) => setTimeout(resolve, QUIET_MS));
  console.log(
    `  ${label}: ${perCommand.toFixed(1)} ms CPU a command; latency p50 ${percentile(latencies, 50).toFixed(0)} ms, p99 ${percentile(latencies, 99).toFixed(0)} ms; ` +
      `${cpuMs(quietBefore).toFixed(0)} ms CPU in ${QUIET_MS / 1_000} s of quiet after`,
  );
}

async function main(): Promise<void> {
  const root = fileURLToPath(new URL("..", import.meta.url));
  const clientModule = process.env.BENCH_CLIENT_MODULE ?? `${root}dist/bot/github/shadowops-octokit.js`;
  if (!process.env.BENCH_CLIENT_MODULE) execFileSync("npx", ["--no-install", "tsc", "-p", "tsconfig.build.json"], { cwd: root, stdio: "inherit" });
  const { ShadowOpsOctokit } = (await import(pathToFileURL(clientModule).href)) as { ShadowOpsOctokit: { defaults: (f: (o: object) => object) => unknown } };
  const fake = fork(fileURLToPath(import.meta.url), ["fake-github"], { execArgv: ["--import", "tsx"], stdio: ["ignore", "inherit", "inherit", "ipc"] });
  try {
    const port = await new Promise<number>((resolve) => fake.once("message", (message) => resolve(message as number)));
    const baseUrl = `http://127.0.0.1:${port}`;
    const privateKey = generateKeyPairSync("rsa", { modulusLength: 2048, privateKeyEncoding: { type: "pkcs1", format: "pem" }, publicKeyEncoding: { type: "spki", format: "pem" } }).privateKey;
    const off = ShadowOpsOctokit.defaults((options) => ({ ...options, retry: { enabled: false }, throttle: { enabled: false } }));
    console.log(`ShadowOps GitHub client (${clientModule.replace(root, "")}): ${COMMANDS} /shadow test commands' requests, ${IN_FLIGHT} at a time, GitHub answering after ${LATENCY_MS} ms`);
    // Each configuration twice, alternating, so that warming up favours neither.
    for (const round of [1, 2]) {
      await measure(`throttling and retries on, as npm start (run ${round})`, ShadowOpsOctokit, baseUrl, 10_000 * round, privateKey);
      await measure(`throttling and retries off (run ${round})`, off, baseUrl, 10_000 * round + 5_000, privateKey);
    }
  } finally {
    fake.kill();
  }
  process.exit(0);
}

/** The child process: GitHub, answering every request after LATENCY_MS. */
function serveFakeGitHub(): void {
  const token = JSON.stringify({ token: "ghs_bench", expires_at: new Date(Date.now() + 3_600_000).toISOString() });
  const answer = JSON.stringify({ id: 1, number: 1, data: "x".repeat(2_000) });
  const server = http.createServer((req, res) => {
    req.resume();
    req.on("end", () =>
      setTimeout(() => {
        const isToken = req.url!.endsWith("/access_tokens");
        res.writeHead(isToken ? 201 : 200, { "content-type": "application/json; charset=utf-8" });
        res.end(isToken ? token : answer);
      }, LATENCY_MS),
    );
  });
  server.keepAliveTimeout = 60_000;
  server.listen(0, "127.0.0.1", () => process.send!((server.address() as { port: number }).port));
}

if (process.argv[2] === "fake-github") serveFakeGitHub();
else await main();
