/**
 * `shadowops notify`: the signed callbacks the orb's steps send to the bot. A real HTTP server on
 * 127.0.0.1 plays the bot and checks every request with the bot's own verifyCallback and schema.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { callbackEventSchema } from "../../src/bot/callbacks/callback-event.js";
import { CALLBACK_PATH, SIGNATURE_HEADER, TIMESTAMP_HEADER, verifyCallback } from "../../src/bot/callbacks/sign-callback.js";
import { EXIT, ExitError } from "../../src/cli/cli-errors.js";
import { callbackEndpoint, displayUrl, runNotifyCommand, type NotifyCommandOptions, type NotifyDependencies } from "../../src/cli/commands/notify-command.js";
import type { ShadowReport } from "../../src/core/shadow-report.js";

const SECRET = "orb-notify-test-secret";
const COMMIT = "ec26c3e57ca3a959ca5aad62de7213c562f8c821";
const dir = mkdtempSync(join(tmpdir(), "shadowops-notify-"));

interface Received {
  path: string;
  headers: IncomingMessage["headers"];
  raw: string;
  verdict: ReturnType<typeof verifyCallback>;
}

let server: Server;
let baseUrl: string;
let received: Received[] = [];
/** Answers in order; the last one repeats. */
let answers: { status: number; body: object }[] = [];

beforeAll(async () => {
  server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const rawBody = Buffer.concat(chunks);
      const header = (name: string) => (Array.isArray(req.headers[name]) ? req.headers[name]![0] : (req.headers[name] as string | undefined));
      received.push({
        path: req.url ?? "",
        headers: req.headers,
        raw: rawBody.toString("utf8"),
        verdict: verifyCallback({ secret: SECRET, rawBody, timestamp: header(TIMESTAMP_HEADER), signature: header(SIGNATURE_HEADER), nowSeconds: Math.floor(Date.now() / 1_000) }),
      });
      const answer = answers.length > 1 ? answers.shift()! : (answers[0] ?? { status: 200, body: { status: "applied" } });
      res.writeHead(answer.status, { "content-type": "application/json" }).end(JSON.stringify(answer.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterEach(() => {
  received = [];
  answers = [];
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  rmSync(dir, { recursive: true, force: true });
});

function harness(env: NodeJS.ProcessEnv = {}) {
  const sleeps: number[] = [];
  const log: string[] = [];
  const stdout: string[] = [];
  const deps: NotifyDependencies = {
    env: { SHADOWOPS_CALLBACK_URL: baseUrl, SHADOWOPS_CALLBACK_SECRET: SECRET, CIRCLE_PIPELINE_ID: "pipeline-1234", ...env },
    fetch: globalThis.fetch,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    now: Date.now,
    log: (line) => log.push(line),
  };
  return { deps, sleeps, log, stdout };
}

const options = (overrides: Partial<NotifyCommandOptions>): NotifyCommandOptions => ({ event: "phase", env: "orb-notify", retries: 3, ...overrides });

async function capturingStdout<T>(work: () => Promise<T>): Promise<{ result: T; stdout: string }> {
  const write = process.stdout.write.bind(process.stdout);
  let stdout = "";
  process.stdout.write = ((chunk: string | Uint8Array) => {
    stdout += chunk.toString();
    return true;
  }) as typeof process.stdout.write;
  try {
    return { result: await work(), stdout };
  } finally {
    process.stdout.write = write;
  }
}

function reportFile(report: Partial<ShadowReport> = {}): string {
  const file = join(dir, `report-${Math.random().toString(36).slice(2)}.json`);
  const full: ShadowReport = {
    environment: "orb-notify",
    driver: "local",
    airflowUrl: "http://127.0.0.1:8793",
    outcome: "passed",
    migrations: [{ name: "0001_create_analytics_schema.sql", status: "applied", durationMs: 12 }],
    dagRun: { dagId: "warehouse_metrics", runId: "shadowops__1", state: "success", tasks: [{ taskId: "check_sources", state: "success", tryNumber: 1, durationMs: 900 }] },
    timings: [{ phase: "run", durationMs: 4000 }],
    ...report,
  };
  writeFileSync(file, JSON.stringify(full, null, 2));
  return file;
}

describe("shadowops notify", () => {
  it("sends a dag_result with the report, signed so the bot's verifyCallback accepts it", async () => {
    const { deps } = harness();
    const { result, stdout } = await capturingStdout(() =>
      runNotifyCommand(options({ event: "dag_result", report: reportFile(), commit: COMMIT, repository: "Codertocat/Hello-World" }), deps),
    );

    expect(result).toBe(EXIT.ok);
    expect(received).toHaveLength(1);
    const [request] = received;
    expect(request!.path).toBe(CALLBACK_PATH);
    expect(request!.verdict.ok).toBe(true);
    expect(request!.headers["content-type"]).toBe("application/json");
    const event = callbackEventSchema.parse(JSON.parse(request!.raw));
    expect(event).toMatchObject({ type: "dag_result", environment: "orb-notify", commit: COMMIT, pipeline_id: "pipeline-1234" });
    if (event.type !== "dag_result") throw new Error("unreachable");
    expect(event.report).toMatchObject({ outcome: "passed", repository: "Codertocat/Hello-World", commit: COMMIT, dagRun: { dagId: "warehouse_metrics" } });
    expect(stdout).toMatch(new RegExp(`sent dag_result event ${event.id} for orb-notify to ${baseUrl}/shadowops/callbacks: HTTP 200, applied`));
    expect(stdout).not.toContain(SECRET);
  });

  it.each([
    ["phase", { phase: "provisioning", message: "creating the stack" }, { phase: "provisioning", message: "creating the stack" }],
    ["ready", { airflowUrl: "http://203.0.113.10:8080/", costPerHour: 1.5 }, { airflow_url: "http://203.0.113.10:8080/", cost_per_hour_usd: 1.5 }],
    ["destroyed", { reason: "keep_environment is false" }, { reason: "keep_environment is false" }],
    ["failed", { reason: "CREATE_FAILED: quota", phase: "provisioning" }, { reason: "CREATE_FAILED: quota", phase: "provisioning" }],
  ] as const)("sends a %s event the bot's schema accepts", async (event, given, expected) => {
    const { deps } = harness();
    await capturingStdout(() => runNotifyCommand(options({ event, ...given }), deps));
    expect(received[0]!.verdict.ok).toBe(true);
    expect(callbackEventSchema.parse(JSON.parse(received[0]!.raw))).toMatchObject({ type: event, ...expected });
  });

  it("sends the report's migrations as a migrations event", async () => {
    const { deps } = harness();
    await capturingStdout(() => runNotifyCommand(options({ event: "migrations", report: reportFile() }), deps));
    expect(JSON.parse(received[0]!.raw)).toMatchObject({ type: "migrations", migrations: [{ name: "0001_create_analytics_schema.sql", status: "applied" }] });
  });

  it("retries a 5xx with backoff and a fresh signature, then succeeds", async () => {
    answers = [
      { status: 500, body: { error: "the callback could not be applied; retry" } },
      { status: 502, body: {} },
      { status: 200, body: { status: "applied" } },
    ];
    const { deps, sleeps, log } = harness();
    const { result } = await capturingStdout(() => runNotifyCommand(options({ event: "phase", phase: "running" }), deps));
    expect(result).toBe(EXIT.ok);
    expect(received).toHaveLength(3);
    expect(sleeps).toEqual([1_000, 2_000]);
    const signatures = received.map((request) => request.headers[SIGNATURE_HEADER]);
    expect(new Set(signatures).size).toBe(3);
    expect(new Set(received.map((request) => JSON.parse(request.raw).id)).size).toBe(1);
    expect(log[0]).toMatch(/answered HTTP 500 \(the callback could not be applied; retry\); retrying in 1 s \(attempt 2 of 4\)/);
  });

  it("fails with exit 3 naming the URL when the bot cannot be reached, after the retries", async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const { deps, sleeps } = harness({ SHADOWOPS_CALLBACK_URL: `http://127.0.0.1:${port}/?token=abc` });

    const error = await runNotifyCommand(options({ event: "failed", reason: "boom" }), deps).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(ExitError);
    expect((error as ExitError).exitCode).toBe(EXIT.environment);
    expect((error as ExitError).message).toBe(
      `could not deliver the failed callback for orb-notify to http://127.0.0.1:${port}/shadowops/callbacks after 4 attempts: ` +
        `cannot reach http://127.0.0.1:${port}/shadowops/callbacks: ECONNREFUSED`,
    );
    expect((error as ExitError).message).not.toMatch(/token/);
    expect(sleeps).toEqual([1_000, 2_000, 4_000]);
  });

  it("does not retry a refusal, and says what to check for a bad signature", async () => {
    answers = [{ status: 401, body: { error: "callback rejected: bad-signature" } }];
    const { deps, sleeps } = harness({ SHADOWOPS_CALLBACK_SECRET: "not-the-bots-secret" });
    const error = (await runNotifyCommand(options({ event: "destroyed" }), deps).catch((caught: unknown) => caught)) as ExitError;
    expect(error.exitCode).toBe(EXIT.usage);
    expect(error.message).toMatch(/refused the destroyed callback for orb-notify with HTTP 401: callback rejected: bad-signature\. Check that SHADOWOPS_CALLBACK_SECRET is the bot's secret/);
    expect(error.message).not.toContain("not-the-bots-secret");
    expect(received).toHaveLength(1);
    expect(sleeps).toEqual([]);
  });

  it("takes a replay (409) as delivered: an earlier attempt got through", async () => {
    answers = [{ status: 409, body: { error: "replayed callback: this event id was handled before" } }];
    const { deps } = harness();
    const { result, stdout } = await capturingStdout(() => runNotifyCommand(options({ event: "destroyed" }), deps));
    expect(result).toBe(EXIT.ok);
    expect(stdout).toContain("already delivered");
  });

  it("only warns with --best-effort", async () => {
    answers = [{ status: 404, body: { error: "no environment orb-notify" } }];
    const { deps, log } = harness();
    expect(await runNotifyCommand(options({ event: "phase", phase: "running", bestEffort: true }), deps)).toBe(EXIT.ok);
    expect(log.at(-1)).toMatch(/warning: .*HTTP 404: no environment orb-notify\. Is .* the ShadowOps bot.*\(--best-effort: carrying on\)/);
  });

  it.each([
    [{ SHADOWOPS_CALLBACK_SECRET: "" }, options({}), /SHADOWOPS_CALLBACK_SECRET is not set/],
    [{ SHADOWOPS_CALLBACK_URL: "" }, options({ phase: "running" }), /no callback URL: set SHADOWOPS_CALLBACK_URL/],
    [{ SHADOWOPS_CALLBACK_URL: "ftp://bot" }, options({ phase: "running" }), /must be http or https/],
    [{ SHADOWOPS_CALLBACK_URL: "https://user:pw@bot" }, options({ phase: "running" }), /must not hold a user name or password/],
    [{}, options({ event: "phase" }), /--event phase needs --phase/],
    [{}, options({ event: "phase", phase: "flying" }), /the phase event is not valid: phase: /],
    [{}, options({ event: "ready", airflowUrl: "javascript:alert(1)" }), /the ready event is not valid: airflow_url/],
    [{}, options({ event: "failed" }), /--event failed needs --reason/],
    [{}, options({ event: "dag_result" }), /--event dag_result needs --report FILE/],
    [{}, options({ event: "dag_result", report: "/nonexistent/report.json" }), /cannot read the report \/nonexistent\/report.json: ENOENT/],
    [{}, options({ event: "destroyed", commit: "abc123" }), /--commit must be a full 40-character lowercase commit SHA/],
  ])("refuses bad input before sending anything (%#)", async (env, given, message) => {
    const { deps } = harness(env);
    const error = (await runNotifyCommand(given, deps).catch((caught: unknown) => caught)) as ExitError;
    expect(error).toBeInstanceOf(ExitError);
    expect(error.exitCode).toBe(EXIT.usage);
    expect(error.message).toMatch(message);
    expect(received).toEqual([]);
  });

  it("refuses a report that is not `shadowops test --json` output", async () => {
    const file = join(dir, "not-a-report.json");
    writeFileSync(file, JSON.stringify({ outcome: "maybe" }));
    const { deps } = harness();
    await expect(runNotifyCommand(options({ event: "dag_result", report: file }), deps)).rejects.toThrow(/is not a shadow test report: environment: /);
  });

  it("appends the callback path to a base URL and prints URLs without credentials", () => {
    expect(callbackEndpoint("https://bot.example.com")).toBe("https://bot.example.com/shadowops/callbacks");
    expect(callbackEndpoint("https://bot.example.com/")).toBe("https://bot.example.com/shadowops/callbacks");
    expect(callbackEndpoint("https://bot.example.com/custom/path")).toBe("https://bot.example.com/custom/path");
    expect(displayUrl("https://u:p@bot.example.com:8443/x?token=1#f")).toBe("https://bot.example.com:8443/x");
  });
});
