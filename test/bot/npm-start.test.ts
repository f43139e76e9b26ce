import { spawn, type ChildProcess } from "node:child_process";
import { createHmac } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
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

afterEach(() => {
  for (const child of children.splice(0)) child.kill("SIGTERM");
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
});
