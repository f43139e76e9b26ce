/**
 * `npm run bench:bot`: how fast the GitHub App answers a `/shadow test` comment.
 *
 * Three processes on this machine: fake GitHub and CircleCI APIs that answer every request after
 * 100 ms (bot-bench-fake-apis.ts), the real Probot server with the ShadowOps app
 * (bot-bench-server.ts), and this driver, which posts signed issue_comment webhooks and
 * measures:
 * - latency: from sending the webhook until the 👀 reaction, the queued `ShadowOps /
 *   environment` check and the CircleCI trigger have all reached the fakes (p50, p99);
 * - throughput: webhooks fully handled per second, 200 in flight: all `/shadow test`, and a mix
 *   where 1 in 10 is a command and the rest ordinary comments (most of a real app's traffic);
 * - memory: the bot's RSS and heap after a burst of 1,000 webhooks at once, at once and after
 *   5 s of quiet (both read 0.5 s after a full GC: see bot-bench-server.mjs).
 * The bot runs compiled (this builds dist/ first) and through `npm start`'s launcher
 * (bin/shadowops-bot), as in production.
 * Last, the same sustained phase against a bare node:http server that makes the same requests
 * (bot-bench-floor-server.mjs): the most this machine allows, to read the bot's numbers against.
 * Targets: p99 < 1 s, >= 200 webhooks/s, < 150 MB. Everything stays on 127.0.0.1.
 */
import { execFileSync, fork, type ChildProcess } from "node:child_process";
import { createHmac, generateKeyPairSync, randomUUID } from "node:crypto";
import { Agent, request } from "node:http";
import { loadavg } from "node:os";
import { fileURLToPath } from "node:url";
import { performance } from "node:perf_hooks";
import { freePorts } from "../src/drivers/local/tcp-ports.js";

const LATENCY_MS = 100;
const LATENCY_WEBHOOKS = Number(process.env.BENCH_LATENCY_WEBHOOKS ?? 300);
const LATENCY_CONCURRENCY = 10;
const SUSTAINED_WEBHOOKS = Number(process.env.BENCH_SUSTAINED_WEBHOOKS ?? 3_000);
const SUSTAINED_CONCURRENCY = 200;
const BURST_WEBHOOKS = 1_000;
/** Quiet time after the burst before the second memory reading (V8 gives back its spare heap). */
const SETTLE_MS = 5_000;
const REPOSITORIES = 200;
const WEBHOOK_SECRET = "bench-webhook-secret";
const TARGETS = { p99Ms: 1_000, webhooksPerSecond: 200, memoryMb: 150 };
/** GitHub gives up on a webhook delivery that is not answered within 10 s. */
const GITHUB_DELIVERY_TIMEOUT_MS = 10_000;

interface Mark {
  key: string;
  kind: "reaction" | "check" | "trigger";
  at: number;
}

const here = (file: string) => fileURLToPath(new URL(file, import.meta.url));
const wallClock = () => performance.timeOrigin + performance.now();

/** `execPath`: how the process is started; node by default, the bot through `npm start`'s launcher. */
function start(file: string, env: Record<string, string>, execArgv: string[], execPath = process.execPath): ChildProcess {
  return fork(here(file), [], { env: { ...process.env, ...env }, execArgv, execPath, stdio: ["ignore", "inherit", "inherit", "ipc"] });
}

/** Webhooks go over at most this many connections, as a sender with a connection pool would. */
const agent = new Agent({ keepAlive: true, maxSockets: 256 });

/**
 * POSTs once more when a kept-alive connection was closed under the request (the server's
 * keep-alive timeout racing the reuse); a redelivered webhook is deduplicated by its delivery id.
 */
async function post(url: string, headers: Record<string, string>, body: string): Promise<{ status: number; text: string }> {
  try {
    return await postOnce(url, headers, body);
  } catch (error) {
    if ((error as { code?: string }).code !== "ECONNRESET") throw error;
    return postOnce(url, headers, body);
  }
}

function postOnce(url: string, headers: Record<string, string>, body: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: "POST", headers: { ...headers, "content-length": Buffer.byteLength(body) }, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString("utf8") }));
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end(body);
  });
}

function once<T>(child: ChildProcess, type: string): Promise<T> {
  return new Promise((resolve) => {
    const listener = (message: { type: string } & T) => {
      if (message.type !== type) return;
      child.off("message", listener);
      resolve(message);
    };
    child.on("message", listener);
  });
}

// Marks from the fakes; a webhook is answered when all three kinds have arrived.
const marks = new Map<string, Partial<Record<Mark["kind"], number>>>();
const waiters = new Map<string, () => void>();
function onMark({ key, kind, at }: Mark): void {
  const seen = { ...marks.get(key), [kind]: at };
  marks.set(key, seen);
  if (seen.reaction !== undefined && seen.check !== undefined && seen.trigger !== undefined) waiters.get(key)?.();
}
function allArrived(key: string): Promise<void> {
  const seen = marks.get(key);
  if (seen?.reaction !== undefined && seen.check !== undefined && seen.trigger !== undefined) return Promise.resolve();
  return new Promise((resolve) => waiters.set(key, resolve));
}

let pullNumber = 0;

/**
 * One `/shadow test` comment on a new PR (or, when `command` is false, an ordinary review
 * comment the bot ignores); resolves with the bot's HTTP answer time and the latency to all
 * three effects of a command.
 */
async function sendWebhook(botUrl: string, command = true): Promise<{ latencyMs: number; answeredMs: number; status: number }> {
  pullNumber += 1;
  const repo = `repo-${pullNumber % REPOSITORIES}`;
  const key = `${repo}#${pullNumber}`;
  const body = JSON.stringify({
    action: "created",
    issue: { number: pullNumber, pull_request: { url: `https://api.github.com/repos/bench/${repo}/pulls/${pullNumber}` } },
    comment: { id: pullNumber, body: command ? "/shadow test" : "Looks good to me, but please add a test for the null regions.", user: { login: "bench", type: "User" } },
    repository: { name: repo, full_name: `bench/${repo}`, owner: { login: "bench" } },
    sender: { login: "bench", type: "User" },
    installation: { id: 1 },
  });
  const signature = `sha256=${createHmac("sha256", WEBHOOK_SECRET).update(body).digest("hex")}`;
  const sent = wallClock();
  const effects = allArrived(key);
  const response = await post(
    `${botUrl}/api/github/webhooks`,
    { "content-type": "application/json", "x-github-event": "issue_comment", "x-github-delivery": randomUUID(), "x-hub-signature-256": signature },
    body,
  );
  const answer = response.text;
  const answeredMs = wallClock() - sent;
  if (!command) return { latencyMs: answeredMs, answeredMs, status: response.status };
  // 202 "still processing": Probot answered before the handler finished (GitHub counts it delivered).
  if (response.status !== 200 && response.status !== 202) throw new Error(`the bot answered ${response.status}: ${answer}`);
  await Promise.race([
    effects,
    new Promise((_, reject) => setTimeout(() => reject(new Error(`no reaction, check and trigger for ${key} within 30 s: ${JSON.stringify(marks.get(key))}`)), 30_000).unref()),
  ]);
  const seen = marks.get(key)!;
  marks.delete(key);
  waiters.delete(key);
  return { latencyMs: Math.max(seen.reaction!, seen.check!, seen.trigger!) - sent, answeredMs, status: response.status };
}

/** `count` webhooks, `concurrency` in flight; every `commandEvery`-th is a command, the others ordinary comments. */
async function run(botUrl: string, count: number, concurrency: number, commandEvery = 1) {
  const results: Awaited<ReturnType<typeof sendWebhook>>[] = [];
  let started = 0;
  const begin = wallClock();
  await Promise.all(
    Array.from({ length: Math.min(concurrency, count) }, async () => {
      while (started < count) {
        started += 1;
        results.push(await sendWebhook(botUrl, started % commandEvery === 0));
      }
    }),
  );
  return { results, seconds: (wallClock() - begin) / 1_000 };
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}

const ms = (value: number) => `${value.toFixed(0)} ms`;
const verdict = (ok: boolean) => (ok ? "ok" : "MISSED");

async function main(): Promise<void> {
  // The bot runs compiled, as `npm start` runs it.
  console.error("building dist/ (tsc -p tsconfig.build.json)…");
  try {
    execFileSync("npx", ["--no-install", "tsc", "-p", "tsconfig.build.json"], { cwd: here(".."), stdio: "inherit" });
  } catch {
    console.error("tsc reported errors (outside the bot?); benchmarking what it emitted");
  }
  const fakes = start("bot-bench-fake-apis.ts", { BENCH_LATENCY_MS: String(LATENCY_MS) }, ["--import", "tsx"]);
  fakes.on("message", (message: { type: string; mark?: Mark }) => {
    if (message.type === "mark" && message.mark) onMark(message.mark);
  });
  const { port: fakePort } = await once<{ port: number }>(fakes, "ready");
  const botPort = (await freePorts(1))[0]!;
  const privateKey = generateKeyPairSync("rsa", { modulusLength: 2048, privateKeyEncoding: { type: "pkcs1", format: "pem" }, publicKeyEncoding: { type: "spki", format: "pem" } }).privateKey;
  const bot = start(
    "bot-bench-server.mjs",
    { BENCH_FAKE_PORT: String(fakePort), BENCH_BOT_PORT: String(botPort), BENCH_PRIVATE_KEY: privateKey, WEBHOOK_SECRET },
    ["--expose-gc", ...(process.env.BENCH_BOT_NODE_ARGS ?? "").split(" ").filter(Boolean)],
    here("../bin/shadowops-bot"),
  );
  await once(bot, "ready");
  const botUrl = `http://127.0.0.1:${botPort}`;

  type Memory = { rss: number; heapUsed: number; settledRss: number; settledRssAtGc: number; settledHeapUsed: number; loopDelayP99Ms: number; cpuMs: number };
  const memoryOfBot = (settleMs = 0) =>
    new Promise<Memory>((resolve) => {
      void once<Memory>(bot, "memory").then(resolve);
      bot.send({ type: "memory", settleMs });
    });
  try {
    await run(botUrl, 20, 5); // warm up: JIT, the installation token, SQLite pages
    const idle = await memoryOfBot();

    const latency = await run(botUrl, LATENCY_WEBHOOKS, LATENCY_CONCURRENCY);
    console.error(`latency phase done in ${latency.seconds.toFixed(1)} s`);
    const latencies = latency.results.map((result) => result.latencyMs);
    const p50 = percentile(latencies, 50);
    const p99 = percentile(latencies, 99);

    const fakesCpu = () =>
      new Promise<number>((resolve) => {
        void once<{ cpuMs: number }>(fakes, "cpu").then((message) => resolve(message.cpuMs));
        fakes.send({ type: "cpu" });
      });
    const driverCpu = () => {
      const cpu = process.cpuUsage();
      return (cpu.user + cpu.system) / 1_000;
    };
    const [fakesBefore, driverBefore] = [await fakesCpu(), driverCpu()];
    const beforeSustained = await memoryOfBot(); // also resets the event-loop delay histogram
    const sustained = await run(botUrl, SUSTAINED_WEBHOOKS, SUSTAINED_CONCURRENCY);
    const sustainedLoop = await memoryOfBot();
    const cpuPerWebhookMs = (sustainedLoop.cpuMs - beforeSustained.cpuMs) / SUSTAINED_WEBHOOKS;
    const fakesPerWebhookMs = ((await fakesCpu()) - fakesBefore) / SUSTAINED_WEBHOOKS;
    const driverPerWebhookMs = (driverCpu() - driverBefore) / SUSTAINED_WEBHOOKS;
    console.error(`sustained phase done in ${sustained.seconds.toFixed(1)} s`);
    const perSecond = sustained.results.length / sustained.seconds;
    const sustainedP99 = percentile(sustained.results.map((result) => result.latencyMs), 99);
    const answered = sustained.results.map((result) => result.answeredMs);

    const mixed = await run(botUrl, SUSTAINED_WEBHOOKS, SUSTAINED_CONCURRENCY, 10);
    const mixedPerSecond = mixed.results.length / mixed.seconds;
    console.error(`mixed phase done in ${mixed.seconds.toFixed(1)} s`);

    const burst = await run(botUrl, BURST_WEBHOOKS, BURST_WEBHOOKS);
    const memory = await memoryOfBot(SETTLE_MS);
    const mb = (bytes: number) => bytes / 1024 / 1024;
    const rssMb = mb(memory.settledRss);
    const all = [...latency.results, ...sustained.results, ...mixed.results, ...burst.results];
    const late = all.filter((result) => result.status === 202).length;

    // The machine's floor, in the bot's place (bot-bench-floor-server.mjs), once the bot is gone.
    bot.kill();
    const floorPort = (await freePorts(1))[0]!;
    const floorServer = start("bot-bench-floor-server.mjs", { BENCH_FAKE_PORT: String(fakePort), BENCH_BOT_PORT: String(floorPort), WEBHOOK_SECRET }, []);
    await once(floorServer, "ready");
    const floorUrl = `http://127.0.0.1:${floorPort}`;
    const floorCpu = () =>
      new Promise<number>((resolve) => {
        void once<{ cpuMs: number }>(floorServer, "cpu").then((message) => resolve(message.cpuMs));
        floorServer.send({ type: "cpu" });
      });
    let floor: { perSecond: number; cpuMs: number };
    try {
      await run(floorUrl, 20, 5);
      const floorBefore = await floorCpu();
      const floorRun = await run(floorUrl, SUSTAINED_WEBHOOKS, SUSTAINED_CONCURRENCY);
      floor = { perSecond: floorRun.results.length / floorRun.seconds, cpuMs: ((await floorCpu()) - floorBefore) / SUSTAINED_WEBHOOKS };
    } finally {
      floorServer.kill();
    }

    console.log(`ShadowOps bot benchmark (fake GitHub and CircleCI answering after ${LATENCY_MS} ms; GitHub client throttling off)`);
    console.log(`  webhook -> reaction + queued check + trigger, ${LATENCY_WEBHOOKS} /shadow test webhooks, ${LATENCY_CONCURRENCY} in flight:`);
    console.log(`    p50 ${ms(p50)}   p99 ${ms(p99)}   (target p99 < ${ms(TARGETS.p99Ms)}: ${verdict(p99 < TARGETS.p99Ms)})`);
    console.log(`  sustained, ${SUSTAINED_WEBHOOKS} /shadow test webhooks, ${SUSTAINED_CONCURRENCY} in flight:`);
    console.log(
      `    ${perSecond.toFixed(0)} webhooks/s fully handled, p99 ${ms(sustainedP99)}   (target >= ${TARGETS.webhooksPerSecond}/s: ${verdict(perSecond >= TARGETS.webhooksPerSecond)})`,
    );
    console.log(`    the bot's HTTP answer to the webhook (after the whole command): p50 ${ms(percentile(answered, 50))}, p90 ${ms(percentile(answered, 90))}, p99 ${ms(percentile(answered, 99))}`);
    const pastDeadline = answered.filter((value) => value > GITHUB_DELIVERY_TIMEOUT_MS).length;
    console.log(`    answers later than GitHub's ${GITHUB_DELIVERY_TIMEOUT_MS / 1000} s delivery timeout (GitHub would show them failed): ${pastDeadline} of ${answered.length}`);
    console.log(`    bot event-loop delay p99 ${ms(sustainedLoop.loopDelayP99Ms)} (near 0 when the bot waits on I/O; high when it is CPU-bound)`);
    console.log(`    bot CPU time per /shadow test webhook ${cpuPerWebhookMs.toFixed(1)} ms (user + system; machine load average ${loadavg()[0]!.toFixed(1)})`);
    console.log(`    the bench's own CPU per webhook: fake APIs ${fakesPerWebhookMs.toFixed(1)} ms, this driver ${driverPerWebhookMs.toFixed(1)} ms`);
    console.log(
      `    this machine's floor: a bare node:http server making the same 8 requests per command (no Probot, Octokit, SQLite): ${floor.perSecond.toFixed(0)} webhooks/s, ${floor.cpuMs.toFixed(1)} ms CPU per webhook`,
    );
    console.log(`  sustained, ${SUSTAINED_WEBHOOKS} webhooks, ${SUSTAINED_CONCURRENCY} in flight, 1 in 10 a /shadow test, the rest ordinary comments:`);
    console.log(`    ${mixedPerSecond.toFixed(0)} webhooks/s fully handled   (target >= ${TARGETS.webhooksPerSecond}/s: ${verdict(mixedPerSecond >= TARGETS.webhooksPerSecond)})`);
    console.log(`  a burst of ${BURST_WEBHOOKS} /shadow test webhooks at once, handled in ${burst.seconds.toFixed(1)} s; bot memory after a full GC:`);
    console.log(`    at once: RSS ${mb(memory.rss).toFixed(0)} MB, heap ${mb(memory.heapUsed).toFixed(0)} MB`);
    console.log(
      `    after ${SETTLE_MS / 1000} s: RSS ${rssMb.toFixed(0)} MB, heap ${mb(memory.settledHeapUsed).toFixed(0)} MB   (target < ${TARGETS.memoryMb} MB: ${verdict(rssMb < TARGETS.memoryMb)})`,
    );
    console.log(`    (RSS at the end of that GC, before V8 returned the pages it freed: ${mb(memory.settledRssAtGc).toFixed(0)} MB)`);
    console.log(`    (idle after warm-up: RSS ${mb(idle.rss).toFixed(0)} MB, heap ${mb(idle.heapUsed).toFixed(0)} MB)`);
    console.log(`  webhooks Probot answered 202 (still processing after its timeout): ${late} of ${all.length}`);
    process.exitCode = p99 < TARGETS.p99Ms && perSecond >= TARGETS.webhooksPerSecond && rssMb < TARGETS.memoryMb ? 0 : 1;
  } finally {
    bot.kill();
    fakes.kill();
  }
}

await main();
