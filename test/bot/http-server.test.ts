import { createHmac } from "node:crypto";
import { Probot, Server } from "probot";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createShadowOpsApp } from "../../src/bot/create-app.js";
import { openBotStore, type BotStore } from "../../src/bot/store/bot-store.js";
import { ENVIRONMENT, HEAD_SHA, START, TEST_PRIVATE_KEY, UNTHROTTLED_OCTOKIT, WEBHOOK_SECRET, installationToken, testProbot, testSettings, useNockGuards } from "./support/bot-harness.js";
import { configFile, eyes, replyComment, updateCheck, updateStickyComment } from "./support/github-mocks.js";
import { seedEnvironment } from "./support/records.js";
import { sendCallback } from "./support/serve-handlers.js";
import { prComment } from "./support/webhook-examples.js";
import { freePorts } from "../../src/drivers/local/tcp-ports.js";

useNockGuards();


let server: Server;
let store: BotStore;
let url: string;
const clock = { now: START };

beforeEach(async () => {
  clock.now = START;
  store = openBotStore({ path: ":memory:", now: () => clock.now });
  const port = (await freePorts(1))[0]!;
  server = new Server({
    port,
    host: "127.0.0.1",
    log: (await testProbot().ready()).log,
    Probot: Probot.defaults({ appId: 123, privateKey: TEST_PRIVATE_KEY, secret: WEBHOOK_SECRET, Octokit: UNTHROTTLED_OCTOKIT }),
  });
  await server.load(createShadowOpsApp({ settings: testSettings(), store, now: () => clock.now, sleep: async () => {}, redelivery: null, expirySweep: null }));
  await server.start();
  url = `http://127.0.0.1:${port}`;
});

afterEach(async () => {
  await server.stop();
  store.close();
});

async function postWebhook(payload: object, secret = WEBHOOK_SECRET): Promise<number> {
  const body = JSON.stringify(payload);
  const signature = `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;
  const response = await fetch(`${url}/api/github/webhooks`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-github-event": "issue_comment", "x-github-delivery": crypto.randomUUID(), "x-hub-signature-256": signature },
    body,
  });
  await response.text();
  return response.status;
}

describe("the running Probot server", () => {
  it("handles a correctly signed webhook", async () => {
    const replies: string[] = [];
    installationToken();
    eyes();
    configFile(null);
    replyComment(replies);
    expect(await postWebhook(prComment("/shadow help"))).toBe(200);
    expect(replies[0]).toContain("ShadowOps commands");
  });

  it("rejects a webhook with a wrong signature without calling GitHub", async () => {
    expect(await postWebhook(prComment("/shadow test"), "not-the-secret")).toBe(400);
  });

  it("applies a signed callback once: a replay, a wrong signature and a stale one are rejected without calling GitHub", async () => {
    seedEnvironment(store, { state: "provisioning", environmentCheck: { id: 100, status: "in_progress", headSha: HEAD_SHA }, deploymentState: "in_progress" });
    installationToken();
    updateCheck(100, []);
    updateStickyComment([]);
    const first = await sendCallback(url, { type: "phase", phase: "configuring", environment: ENVIRONMENT }, { nowMs: clock.now });
    expect(first).toMatchObject({ status: 200, body: { status: "applied" } });
    expect(store.getEnvironment(ENVIRONMENT)?.state).toBe("configuring");

    // The same bytes and headers again: no mocks are left, so any GitHub call would fail the test.
    const replay = await fetch(`${url}/shadowops/callbacks`, { method: "POST", headers: first.headers, body: first.raw });
    expect(replay.status).toBe(409);

    const wrong = await sendCallback(url, { type: "phase", phase: "migrating", environment: ENVIRONMENT }, { nowMs: clock.now, secret: "guessed" });
    expect(wrong.status).toBe(401);

    const stale = await sendCallback(url, { type: "phase", phase: "migrating", environment: ENVIRONMENT }, { nowMs: clock.now, timestamp: Math.floor(clock.now / 1000) - 301 });
    expect(stale).toMatchObject({ status: 401, body: { error: "callback rejected: stale" } });

    // A captured callback re-signed... cannot be: its event id was remembered too.
    const reused = await sendCallback(url, { id: JSON.parse(first.raw).id, type: "phase", phase: "migrating", environment: ENVIRONMENT }, { nowMs: clock.now + 1000 });
    expect(reused.status).toBe(409);
    expect(store.getEnvironment(ENVIRONMENT)?.state).toBe("configuring");
  });

  it("rejects a CircleCI webhook with a wrong signature", async () => {
    const response = await fetch(`${url}/shadowops/circleci-webhooks`, {
      method: "POST",
      headers: { "content-type": "application/json", "circleci-signature": `v1=${"0".repeat(64)}` },
      body: JSON.stringify({ id: "w", type: "workflow-completed" }),
    });
    expect(response.status).toBe(401);
  });

  it("still serves Probot's own routes", async () => {
    const ping = await fetch(`${url}/ping`);
    expect(await ping.text()).toBe("PONG");
    expect((await fetch(`${url}/shadowops/callbacks`)).status).toBe(405);
  });
});

