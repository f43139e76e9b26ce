import { generateKeyPairSync } from "node:crypto";
import nock from "nock";
import { Probot, type ApplicationFunctionOptions } from "probot";
import { afterAll, afterEach, beforeAll, expect } from "vitest";
import { createShadowOpsApp, type CreateAppParams, type RunningApp } from "../../../src/bot/create-app.js";
import { ShadowOpsOctokit } from "../../../src/bot/github/shadowops-octokit.js";
import type { BotServices } from "../../../src/bot/runner/bot-services.js";
import type { BotSettings } from "../../../src/bot/settings.js";
import { openBotStore, type BotStore } from "../../../src/bot/store/bot-store.js";
import { validateGitHubRequest } from "./github-openapi.js";
import { INSTALLATION_ID } from "./webhook-examples.js";

export const GITHUB_API = "https://api.github.com";
export const CIRCLECI_API = "https://circleci.com/api/v2";
export const CALLBACK_SECRET = "callback-secret-for-tests";
export const CIRCLECI_TOKEN = "circle-token-for-tests";
export const WEBHOOK_SECRET = "webhook-secret-for-tests";
export const START = Date.parse("2025-01-14T09:00:00Z");
export const HEAD_SHA = "ec26c3e57ca3a959ca5aad62de7213c562f8c821";
/** environmentNameForPullRequest("Codertocat/Hello-World", 2). */
export const ENVIRONMENT = "codertocat-hello-world-pr-2";
export const REPO = "/repos/Codertocat/Hello-World";

export const TEST_PRIVATE_KEY = generateKeyPairSync("rsa", {
  modulusLength: 2048,
  privateKeyEncoding: { type: "pkcs1", format: "pem" },
  publicKeyEncoding: { type: "spki", format: "pem" },
}).privateKey;

export function testSettings(overrides: Partial<BotSettings> = {}): BotSettings {
  return {
    circleciToken: CIRCLECI_TOKEN,
    circleciApiUrl: CIRCLECI_API,
    callbackSecret: CALLBACK_SECRET,
    circleciWebhookSecret: CALLBACK_SECRET,
    databasePath: ":memory:",
    ...overrides,
  };
}

/** A clock the tests move by hand. */
export interface Clock {
  now: number;
}

export interface TestBot {
  probot: Probot;
  store: BotStore;
  services: BotServices;
  /** How the process would stop the app (drain). */
  running: RunningApp;
  clock: Clock;
  /** The routes the app added with addHandler. */
  handlers: Parameters<ApplicationFunctionOptions["addHandler"]>[0][];
  receive: (name: string, payload: Record<string, unknown>, id?: string) => Promise<void>;
}

let deliveries = 0;

/**
 * The bot's own Octokit (its HTTP client included) with retry and throttling off. The function
 * form is needed: Probot merges its own (enabled) throttle options over an object passed to
 * defaults.
 */
export const UNTHROTTLED_OCTOKIT = ShadowOpsOctokit.defaults((options: Record<string, unknown>) => ({
  ...options,
  retry: { enabled: false },
  throttle: { enabled: false },
}));

export function testProbot(Base: typeof Probot = Probot): Probot {
  return new Base({
    appId: 123,
    privateKey: TEST_PRIVATE_KEY,
    secret: WEBHOOK_SECRET,
    logLevel: "fatal",
    Octokit: UNTHROTTLED_OCTOKIT,
  });
}

/** Probot with the ShadowOps app loaded, an in-memory store and a hand-moved clock. */
export async function createTestBot({
  store,
  settings,
  sleep = async () => {},
  redelivery = null,
  expirySweep = null,
}: {
  store?: BotStore;
  settings?: Partial<BotSettings>;
  sleep?: (ms: number) => Promise<void>;
  /** Off unless a test asks: elsewhere the sweep would be a stray request to GitHub. */
  redelivery?: CreateAppParams["redelivery"];
  /** Off unless a test asks, for the same reason. */
  expirySweep?: CreateAppParams["expirySweep"];
} = {}): Promise<TestBot> {
  const clock: Clock = { now: START };
  const now = () => clock.now;
  const botStore = store ?? openBotStore({ path: ":memory:", now });
  const probot = testProbot();
  const handlers: TestBot["handlers"] = [];
  let services: BotServices | undefined;
  let running: RunningApp | undefined;
  await probot.load(
    createShadowOpsApp({
      settings: testSettings(settings),
      store: botStore,
      now,
      sleep,
      onReady: (ready, app) => {
        services = ready;
        running = app;
      },
      redelivery,
      expirySweep,
    }),
    { cwd: process.cwd(), addHandler: (handler) => handlers.push(handler) },
  );
  return {
    probot,
    store: botStore,
    services: services!,
    running: running!,
    clock,
    handlers,
    receive: async (name, payload, id = `delivery-${(deliveries += 1)}`) => {
      await probot.receive({ id, name, payload } as Parameters<Probot["receive"]>[0]);
    },
  };
}

const openApiProblems: string[] = [];
const unmatched: string[] = [];

/** A nock scope for GitHub that checks every request body against GitHub's OpenAPI description. */
export function github(): nock.Scope {
  const scope = nock(GITHUB_API);
  scope.on("request", (req: { method: string; path: string }, _interceptor: unknown, body: string) => {
    openApiProblems.push(...validateGitHubRequest(req.method, req.path, body ?? ""));
  });
  return scope;
}

/** The installation token Probot asks for before the first call of an installation. */
export function installationToken(scope: nock.Scope = github()): nock.Scope {
  return scope.post(`/app/installations/${INSTALLATION_ID}/access_tokens`).reply(201, {
    token: "ghs_test",
    expires_at: "2099-01-01T00:00:00Z",
    permissions: { checks: "write", issues: "write", pull_requests: "write", deployments: "write", contents: "read", metadata: "read" },
    repository_selection: "all",
  });
}

/**
 * Every bot test file: no real network but this machine, every request body valid for GitHub,
 * nothing unmatched, and no pending mocks at the end of each test.
 */
export function useNockGuards(): void {
  const onNoMatch = (req: { method?: string; hostname?: string; host?: string; path?: string; href?: string }) => {
    const host = req.hostname ?? req.host ?? "";
    if (host.startsWith("127.0.0.1") || host.startsWith("localhost")) return;
    unmatched.push(`${req.method ?? "?"} ${req.href ?? `${host}${req.path ?? ""}`}`);
  };
  beforeAll(() => {
    nock.disableNetConnect();
    nock.enableNetConnect((host) => host.startsWith("127.0.0.1") || host.startsWith("localhost"));
    nock.emitter.on("no match", onNoMatch);
  });
  afterEach(() => {
    const pending = nock.pendingMocks();
    const problems = openApiProblems.splice(0);
    const strays = unmatched.splice(0);
    nock.cleanAll();
    expect(problems, "request bodies GitHub's OpenAPI description rejects").toEqual([]);
    expect(strays, "requests no mock matched").toEqual([]);
    expect(pending, "mocks never called").toEqual([]);
  });
  afterAll(() => {
    nock.emitter.removeListener("no match", onNoMatch);
    nock.enableNetConnect();
  });
}

/** Captures the JSON bodies of a mock for assertions. */
export function capture<T = any>(into: T[]): (body: any) => boolean {
  return (body) => {
    into.push(body as T);
    return true;
  };
}
