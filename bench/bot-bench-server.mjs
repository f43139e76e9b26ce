/**
 * Child process of bot-bench.ts: the real Probot server with the ShadowOps app as `npm run build`
 * compiles it (dist/), pointed at the fake APIs, with a throwaway SQLite database. Plain
 * JavaScript so that it runs on node alone, as in production. Answers {type: "memory"} over IPC
 * with its memory use after a garbage collection (run with --expose-gc), the event loop's delay and
 * the CPU time it has used.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { Probot, Server } from "probot";
import { createShadowOpsApp } from "../dist/bot/create-app.js";
import { ShadowOpsOctokit } from "../dist/bot/github/shadowops-octokit.js";
import { readBotSettings } from "../dist/bot/settings.js";

const fakePort = Number(process.env.BENCH_FAKE_PORT);
const port = Number(process.env.BENCH_BOT_PORT);

// The bot's own Octokit (`npm start` gives Probot the same class, with its HTTP client and its
// retries), with GitHub's client-side throttling off: every bench repository is one
// installation, which the write limit would hold to one write a second after a burst of 20.
// `npm run bench:github-client` measures what throttling costs a command.
const Octokit = ShadowOpsOctokit.defaults((options) => ({ ...options, throttle: { enabled: false } }));
// Probot creates its logger while it gets ready; only fatal errors are printed.
const log = (await new Probot({ appId: 1, privateKey: process.env.BENCH_PRIVATE_KEY, logLevel: process.env.BENCH_LOG_LEVEL ?? "fatal" }).ready()).log;

const server = new Server({
  port,
  host: "127.0.0.1",
  log,
  Probot: Probot.defaults({
    appId: 1,
    privateKey: process.env.BENCH_PRIVATE_KEY,
    secret: process.env.WEBHOOK_SECRET,
    baseUrl: `http://127.0.0.1:${fakePort}/api/v3`,
    Octokit,
    log,
  }),
});
await server.load(
  createShadowOpsApp({
    // The app's default (create-app.ts) unless BENCH_CONCURRENCY says otherwise.
    ...(process.env.BENCH_CONCURRENCY ? { concurrency: Number(process.env.BENCH_CONCURRENCY) } : {}),
    settings: {
      ...readBotSettings({
        CIRCLECI_TOKEN: "bench-token",
        CIRCLECI_API_URL: `http://127.0.0.1:${fakePort}/circleci/api/v2`,
        SHADOWOPS_CALLBACK_SECRET: "bench-callback-secret",
      }),
      databasePath: join(mkdtempSync(join(tmpdir(), "shadowops-bench-")), "bot.sqlite"),
    },
  }),
);
await server.start();

const loopDelay = monitorEventLoopDelay();
loopDelay.enable();
process.send?.({ type: "ready" });

/**
 * V8 hands the pages a full GC freed back to the system on a background thread, within about
 * 100 ms: RSS read at the GC's end still counts them (seen: 131 MB at the GC, 94 MB 100 ms later
 * and the same 3 s later). Memory is read this long after each GC, the bot idle meanwhile.
 */
const AFTER_GC_MS = 500;

/** Memory after a full GC, once V8 has returned what the GC freed; and when it was read at the GC's end. */
async function memoryAfterGc() {
  globalThis.gc?.();
  const atGc = process.memoryUsage().rss;
  await new Promise((resolve) => setTimeout(resolve, AFTER_GC_MS));
  return { ...process.memoryUsage(), atGc };
}

/** {type: "memory", settleMs}: memory after a full GC, and again after settleMs of quiet and another GC. */
process.on("message", async (message) => {
  if (message.type !== "memory") return;
  const loopDelayP99Ms = loopDelay.percentile(99) / 1e6;
  const now = await memoryAfterGc();
  await new Promise((resolve) => setTimeout(resolve, message.settleMs ?? 0));
  const settled = await memoryAfterGc();
  if (process.env.BENCH_TRACE_MEMORY) console.error({ now, settled });
  const cpu = process.cpuUsage();
  process.send?.({ type: "memory", rss: now.rss, heapUsed: now.heapUsed, settledRss: settled.rss, settledRssAtGc: settled.atGc, settledHeapUsed: settled.heapUsed, loopDelayP99Ms, cpuMs: (cpu.user + cpu.system) / 1_000 });
  loopDelay.reset();
});
process.on("disconnect", () => process.exit(0));
process.on("SIGTERM", () => process.exit(0));
