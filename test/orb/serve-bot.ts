/**
 * The ShadowOps bot for the orb's execution tests: Probot with the app, its callback routes on a
 * real HTTP server of 127.0.0.1 (the orb's steps run in other processes), an in-memory store, the
 * real clock (the CLI signs with it), and GitHub mocked with nock, recording every request.
 */
import nock from "nock";
import type { ApplicationFunctionOptions } from "probot";
import { createShadowOpsApp } from "../../src/bot/create-app.js";
import { openBotStore, type BotStore } from "../../src/bot/store/bot-store.js";
import type { EnvironmentRecord } from "../../src/bot/store/environment-record.js";
import { GITHUB_API, HEAD_SHA, testProbot, testSettings } from "../bot/support/bot-harness.js";
import { environmentRecord } from "../bot/support/records.js";
import { serveHandlers } from "../bot/support/serve-handlers.js";

export interface GitHubCall {
  method: string;
  path: string;
  body: any;
}

export interface OrbTestBot {
  url: string;
  store: BotStore;
  github: GitHubCall[];
  /** A PR's environment as the bot records it when it triggers the pipeline, with its checks open. */
  seedEnvironment: (id: string, overrides?: Partial<EnvironmentRecord>) => { record: EnvironmentRecord; environmentCheck: number; dagCheck: number };
  /** The bodies of the check run's updates, in order. */
  checkUpdates: (checkRunId: number) => any[];
  close: () => Promise<void>;
}

let checkIds = 100;

export async function startOrbTestBot(callbackSecret: string): Promise<OrbTestBot> {
  const github: GitHubCall[] = [];
  nock.disableNetConnect();
  nock.enableNetConnect((host) => host.startsWith("127.0.0.1") || host.startsWith("localhost"));
  let created = 900;
  for (const method of ["GET", "POST", "PATCH", "PUT", "DELETE"]) {
    nock(GITHUB_API)
      .persist()
      .intercept(/.*/, method)
      .reply((path, body) => {
        github.push({ method, path, body: typeof body === "string" && body !== "" ? JSON.parse(body) : body });
        if (path.endsWith("/access_tokens")) return [201, { token: "ghs_test", expires_at: "2099-01-01T00:00:00Z" }];
        if (method === "GET" && /\/issues\/\d+\/comments/.test(path)) return [200, []];
        if (method === "POST" && path.endsWith("/check-runs")) return [201, { id: (created += 1) }];
        if (method === "POST" && /\/issues\/\d+\/comments$/.test(path)) return [201, { id: 800 }];
        return [method === "POST" ? 201 : 200, { id: 1 }];
      });
  }

  const store = openBotStore({ path: ":memory:", now: Date.now });
  const handlers: Parameters<ApplicationFunctionOptions["addHandler"]>[0][] = [];
  await testProbot().load(createShadowOpsApp({ settings: testSettings({ callbackSecret }), store, now: Date.now, sleep: async () => {}, redelivery: null, expirySweep: null }), {
    cwd: process.cwd(),
    addHandler: (handler) => handlers.push(handler),
  });
  const server = await serveHandlers(handlers);

  return {
    url: server.url,
    store,
    github,
    seedEnvironment(id, overrides = {}) {
      const environmentCheck = (checkIds += 1);
      const dagCheck = (checkIds += 1);
      const base = environmentRecord();
      const record = environmentRecord({
        id,
        state: "requested",
        phase: null,
        airflowUrl: null,
        liveSince: null,
        dag: "warehouse_metrics",
        environmentCheck: { id: environmentCheck, status: "queued", headSha: HEAD_SHA },
        deploymentState: "queued",
        pipeline: { ...base.pipeline!, environmentId: id },
        ...overrides,
      });
      store.putEnvironment(record);
      store.putPipeline(record.pipeline!);
      store.putDagCheck({ environmentId: id, headSha: HEAD_SHA, dagId: record.dag ?? "warehouse_metrics", checkRunId: dagCheck, status: "queued" });
      return { record, environmentCheck, dagCheck };
    },
    checkUpdates: (checkRunId) => github.filter((call) => call.method === "PATCH" && call.path.endsWith(`/check-runs/${checkRunId}`)).map((call) => call.body),
    async close() {
      await server.close();
      store.close();
      nock.cleanAll();
      nock.enableNetConnect();
    },
  };
}
