import { spawn, type ChildProcess } from "node:child_process";
import { createHmac } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import Database from "better-sqlite3";
import { parse } from "yaml";
import { afterEach, describe, expect, it } from "vitest";
import { TEST_PRIVATE_KEY } from "./support/bot-harness.js";
import { prComment } from "./support/webhook-examples.js";
import { freePorts } from "../../src/drivers/local/tcp-ports.js";

/**
 * `npm start` as a process: bin/shadowops-bot (the launcher the benchmark also runs) with the
 * bot's entry point, run from source through tsx so that no build is needed.
 */
const root = fileURLToPath(new URL("../..", import.meta.url));
const children: ChildProcess[] = [];
const scratch: string[] = [];
const servers: Server[] = [];

afterEach(() => {
  // Not SIGTERM: a bot still busy would take its grace (up to 25 s) to stop.
  for (const child of children.splice(0)) child.kill("SIGKILL");
  for (const server of servers.splice(0)) server.close();
  for (const dir of scratch.splice(0)) rmSync(dir, { recursive: true, force: true });
});


/** Starts the bot with exactly `env` (plus PATH and HOME); resolves once it answers on its port. */
async function npmStart(env: Record<string, string>): Promise<{ child: ChildProcess; url: string; output: () => string }> {
  const port = (await freePorts(1))[0]!;
  // npm runs it from the package's folder, where Probot reads app.yml (and .env, whose values
  // never replace variables that are set, even empty ones).
  const child = spawn(join(root, "bin/shadowops-bot"), ["--import", "tsx", join(root, "src/bot/start.ts")], {
    cwd: root,
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", PORT: String(port), HOST: "127.0.0.1", LOG_LEVEL: "info", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.push(child);
  let text = "";
  child.stdout?.on("data", (chunk: Buffer) => (text += chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => (text += chunk.toString()));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`npm start exited with ${child.exitCode}:\n${text}`);
    try {
      await fetch(url, { redirect: "manual" });
      return { child, url, output: () => text };
    } catch {
      if (Date.now() > deadline) throw new Error(`npm start did not answer on ${url} within 30 s:\n${text}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
}

describe("npm start", () => {
  it("without credentials serves Probot's setup page, which registers the app from app.yml", async () => {
    const { url } = await npmStart({ APP_ID: "", PRIVATE_KEY: "" });

    const home = await fetch(url, { redirect: "manual" });
    expect(home.status).toBe(302);
    expect(home.headers.get("location")).toBe("/probot");
    const page = await (await fetch(`${url}/probot`)).text();
    const manifestValue = /id="manifest" value='([^']*)'/.exec(page)?.[1];
    expect(manifestValue, "the setup page's manifest field").toBeDefined();
    const manifest = JSON.parse(manifestValue!.replaceAll("&quot;", '"').replaceAll("&amp;", "&")) as Record<string, unknown>;
    const appYml = parse(readFileSync(join(root, "app.yml"), "utf8")) as Record<string, unknown>;
    expect(manifest.default_permissions).toEqual(appYml.default_permissions);
    expect(manifest.default_events).toEqual(appYml.default_events);
  }, 60_000);

  it("with credentials runs the app from the environment's settings, under the launcher's malloc setting", async () => {
    const secret = "start-test-webhook-secret";
    const database = join(mkdtempSync(join(tmpdir(), "shadowops-start-db-")), "bot.sqlite");
    scratch.push(dirname(database));
    const { child, url, output } = await npmStart({
      APP_ID: "123",
      PRIVATE_KEY: TEST_PRIVATE_KEY,
      WEBHOOK_SECRET: secret,
      CIRCLECI_TOKEN: "circle-token-for-start",
      SHADOWOPS_CALLBACK_SECRET: "callback-secret-for-start",
      SHADOWOPS_BOT_DB: database,
    });

    // An ordinary comment: verified, handled and ignored (no request to GitHub, which is unreachable here).
    const body = JSON.stringify(prComment("Thanks, looks good."));
    const headers = { "content-type": "application/json", "x-github-event": "issue_comment", "x-github-delivery": "start-test-1" };
    const signed = await fetch(`${url}/api/github/webhooks`, {
      method: "POST",
      headers: { ...headers, "x-hub-signature-256": `sha256=${createHmac("sha256", secret).update(body).digest("hex")}` },
      body,
    });
    expect(signed.status, output()).toBe(200);
    const forged = await fetch(`${url}/api/github/webhooks`, {
      method: "POST",
      headers: { ...headers, "x-github-delivery": "start-test-2", "x-hub-signature-256": `sha256=${createHmac("sha256", "not-the-secret").update(body).digest("hex")}` },
      body,
    });
    expect(forged.status).toBe(400);
    // The callback route is ours (addHandler), so it is only there when the app loaded.
    const unsigned = await fetch(`${url}/shadowops/callbacks`, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
    expect(unsigned.status).toBe(401);
    // The launcher exec's node, so the child is the bot's own process.
    const environ = readFileSync(`/proc/${child.pid}/environ`, "utf8").split("\0");
    expect(environ).toContain("MALLOC_ARENA_MAX=2");
    expect(readFileSync(database).subarray(0, 15).toString()).toBe("SQLite format 3");
  }, 60_000);

  it("on SIGTERM finishes the command in progress, takes no new webhook, and exits 0 once it is done", async () => {
    // A GitHub Enterprise stand-in (GHE_HOST) that answers after 1.5 s: a `/shadow help` is
    // still in progress when the signal comes.
    const requests: string[] = [];
    const github = createServer((req: IncomingMessage, res) => {
      requests.push(`${req.method} ${req.url}`);
      req.resume();
      setTimeout(() => {
        const json = (status: number, body: object) => res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
        if (req.url?.endsWith("/access_tokens")) json(201, { token: "ghs_start", expires_at: "2099-01-01T00:00:00Z" });
        else if (req.method === "GET") json(404, { message: "Not Found" });
        else json(201, { id: 1 });
      }, 1_500);
    });
    servers.push(github);
    await new Promise<void>((resolve) => github.listen(0, "127.0.0.1", resolve));
    const secret = "stop-test-webhook-secret";
    const database = join(mkdtempSync(join(tmpdir(), "shadowops-stop-db-")), "bot.sqlite");
    scratch.push(dirname(database));
    const { child, url, output } = await npmStart({
      APP_ID: "123",
      PRIVATE_KEY: TEST_PRIVATE_KEY,
      WEBHOOK_SECRET: secret,
      GHE_HOST: `127.0.0.1:${(github.address() as AddressInfo).port}`,
      GHE_PROTOCOL: "http",
      CIRCLECI_TOKEN: "circle-token-for-stop",
      SHADOWOPS_CALLBACK_SECRET: "callback-secret-for-stop",
      SHADOWOPS_BOT_DB: database,
    });
    const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) => child.on("exit", (code, signal) => resolve({ code, signal })));
    const webhook = (delivery: string) => {
      const body = JSON.stringify(prComment("/shadow help"));
      return fetch(`${url}/api/github/webhooks`, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "x-github-event": "issue_comment",
          "x-github-delivery": delivery,
          "x-hub-signature-256": `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`,
        },
        body,
      });
    };

    const answer = webhook("stop-test-in-progress");
    for (const deadline = Date.now() + 10_000; requests.length === 0; ) {
      if (Date.now() > deadline) throw new Error(`the command never reached GitHub:\n${output()}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    child.kill("SIGTERM");
    await new Promise((resolve) => setTimeout(resolve, 300));
    await expect(webhook("stop-test-after-the-signal"), "a webhook sent while the bot stops").rejects.toThrow();

    expect((await answer).status, output()).toBe(200);
    expect(await exited, output()).toEqual({ code: 0, signal: null });
    // The help reply went out after the signal, and the command counts as handled to the end.
    expect(requests).toContain("POST /api/v3/repos/Codertocat/Hello-World/issues/2/comments");
    expect(output()).toContain("stopped: every webhook and callback in progress was finished");
    const db = new Database(database, { readonly: true });
    expect(db.prepare("SELECT id, done_at IS NOT NULL AS done FROM deliveries").all()).toEqual([{ id: "github:stop-test-in-progress", done: 1 }]);
    db.close();
  }, 60_000);
});
