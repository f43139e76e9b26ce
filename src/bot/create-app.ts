import { setTimeout as delay } from "node:timers/promises";
import type { ApplicationFunction, Context } from "probot";
import { createCallbackRoute } from "./callbacks/callback-route.js";
import { createCircleCiWebhookRoute } from "./callbacks/circleci-webhook-route.js";
import { createCircleCiClient } from "./circleci/circleci-client.js";
import { httpFetchAsFetch } from "./http/http-fetch.js";
import { createConfigCache } from "./config/config-cache.js";
import { CONFIG_FILE } from "./config/shadowops-config.js";
import { applyCallbackEvent } from "./runner/apply-callback-event.js";
import { applyCircleCiWorkflow } from "./runner/apply-circleci-workflow.js";
import type { BotServices } from "./runner/bot-services.js";
import { handleCheckRun } from "./runner/handle-check-run.js";
import { handleCheckSuite } from "./runner/handle-check-suite.js";
import { handleComment } from "./runner/handle-comment.js";
import { handleLostAccess } from "./runner/handle-lost-access.js";
import { handleRepositoryMoved } from "./runner/handle-repository-moved.js";
import { handlePullRequest } from "./runner/handle-pull-request.js";
import { destroyExpiredEnvironments, EXPIRY_SWEEP } from "./runner/destroy-expired-environments.js";
import { recoverStuckRequests, STUCK_SWEEP_EVERY_MS } from "./runner/recover-stuck-requests.js";
import { FIRST_REDELIVERY_SWEEP_AFTER_MS, redeliverFailedWebhooks, REDELIVERY_SWEEP_EVERY_MS } from "./runner/redeliver-failed-webhooks.js";
import { createConcurrencyLimit } from "./runner/concurrency-limit.js";
import { createKeyedLock } from "./runner/keyed-lock.js";
import type { BotSettings } from "./settings.js";
import { openBotStore, type BotStore } from "./store/bot-store.js";
import {
  checkRunEvent,
  checkSuiteEvent,
  commentEvent,
  lostAccessEvent,
  PULL_REQUEST_ACTIONS,
  pullRequestEvent,
  repositoryArchivedEvent,
  repositoryMovedEvent,
} from "./webhook-events.js";

export interface CreateAppParams {
  settings: BotSettings;
  /** CircleCI's HTTP client; httpFetch (node:http) by default. */
  fetch?: typeof globalThis.fetch;
  /** Epoch milliseconds. */
  now?: () => number;
  /** How handlers wait (CircleCI retries, a fork command's grace); the wait frees the webhook slot. */
  sleep?: (ms: number) => Promise<void>;
  /** An open store (tests); otherwise settings.databasePath is opened. */
  store?: BotStore;
  /** Called once the app is loaded: the services (tests inspect the store), and how to stop it (start.ts). */
  onReady?: (services: BotServices, running: RunningApp) => void;
  /** Webhooks and callbacks handled at once; more wait their turn. */
  concurrency?: number;
  /** How often to end tests stuck in `requested` (see recover-stuck-requests.ts), besides once at startup. */
  stuckSweepEveryMs?: number;
  /** When to ask GitHub for failed webhook deliveries (redeliver-failed-webhooks.ts); null: never (tests). */
  redelivery?: SweepTiming | null;
  /** When to destroy environments past their time to live (destroy-expired-environments.ts); null: never (tests). */
  expirySweep?: SweepTiming | null;
}

/** A periodic sweep's first run after start (0: at once) and its interval. */
export interface SweepTiming {
  firstAfterMs: number;
  everyMs: number;
}

/** The loaded app, as the process that runs it sees it. */
export interface RunningApp {
  /**
   * Stops taking webhooks, callbacks and sweeps, and waits up to `graceMs` for those in
   * progress; once none is left, closes the store it opened. Resolves with how many were still
   * in progress (their deliveries are released at the next start, so none is lost).
   */
  drain(graceMs: number): Promise<number>;
}

/** Enough to keep a burst moving at GitHub's latency, few enough to bound memory. */
export const DEFAULT_CONCURRENCY = 64;

/** The ShadowOps Probot app: wiring only; the runner modules hold the logic. */
export function createShadowOpsApp({
  settings,
  fetch,
  now = Date.now,
  sleep,
  store,
  onReady,
  concurrency = DEFAULT_CONCURRENCY,
  stuckSweepEveryMs = STUCK_SWEEP_EVERY_MS,
  redelivery = { firstAfterMs: FIRST_REDELIVERY_SWEEP_AFTER_MS, everyMs: REDELIVERY_SWEEP_EVERY_MS },
  expirySweep = EXPIRY_SWEEP,
}: CreateAppParams): ApplicationFunction {
  return (app, { addHandler }) => {
    const limit = createConcurrencyLimit(concurrency);
    const wait = sleep ?? delay;
    // Every wait of a handler (fork grace, CircleCI backoff) frees its webhook slot meanwhile.
    const pause = (ms: number) => limit.releasedWhile(() => wait(ms));
    const ownStore = store ? null : openBotStore({ path: settings.databasePath, now });
    const services: BotServices = {
      store: store ?? ownStore!,
      circleci: createCircleCiClient({
        token: settings.circleciToken,
        apiUrl: settings.circleciApiUrl,
        fetch: fetch ?? httpFetchAsFetch,
        sleep: pause,
      }),
      now,
      log: app.log,
      locks: createKeyedLock(),
      octokitFor: (installationId) => app.auth(installationId),
      configs: createConfigCache({ now }),
      sleep: pause,
    };
    const unfinished = services.store.releaseUnfinishedDeliveries();
    if (unfinished.length > 0) {
      app.log.warn({ deliveries: unfinished }, `${unfinished.length} webhooks or callbacks were cut off when the bot last stopped: handled again when GitHub or the pipeline sends them again`);
    }
    const readConfig = (context: Context<"issue_comment" | "pull_request" | "check_run" | "check_suite">) => () =>
      services.configs.get(context.payload.repository.owner.login, context.payload.repository.name, () => context.config(CONFIG_FILE));

    app.on("issue_comment.created", async (context) => {
      const event = commentEvent(context);
      await limit(() => handleComment({ services, octokit: context.octokit, event, readConfig: readConfig(context) }));
    });
    app.on([...PULL_REQUEST_ACTIONS], async (context) => {
      const event = pullRequestEvent(context);
      await limit(() => handlePullRequest({ services, octokit: context.octokit, event, readConfig: readConfig(context) }));
    });
    app.on(["check_run.requested_action", "check_run.rerequested"], async (context) => {
      const event = checkRunEvent(context);
      await limit(() => handleCheckRun({ services, octokit: context.octokit, event, readConfig: readConfig(context) }));
    });
    app.on("check_suite.rerequested", async (context) => {
      const event = checkSuiteEvent(context);
      await limit(() => handleCheckSuite({ services, octokit: context.octokit, event, readConfig: readConfig(context) }));
    });
    app.on(["installation.deleted", "installation.suspend", "installation_repositories.removed"], async (context) => {
      const event = lostAccessEvent(context);
      await limit(() => handleLostAccess(services, event));
    });
    app.on("repository.archived", async (context) => {
      const event = repositoryArchivedEvent(context);
      await limit(() => handleLostAccess(services, event));
    });
    app.on(["repository.renamed", "repository.transferred"], async (context) => {
      const event = repositoryMovedEvent(context);
      await limit(() => handleRepositoryMoved({ services, octokit: context.octokit, event }));
    });
    app.on("push", async (context) => {
      const { ref, repository } = context.payload;
      if (ref === `refs/heads/${repository.default_branch}`) services.configs.invalidateOwner(repository.full_name.split("/")[0] ?? "");
    });

    addHandler(
      createCallbackRoute({
        secret: settings.callbackSecret,
        store: services.store,
        log: app.log,
        now,
        apply: (event) => limit(() => applyCallbackEvent(services, event)),
      }),
    );
    addHandler(
      createCircleCiWebhookRoute({
        secret: settings.circleciWebhookSecret,
        store: services.store,
        log: app.log,
        apply: (webhook) => limit(() => applyCircleCiWorkflow(services, webhook)),
      }),
    );
    /**
     * Runs a periodic sweep in a webhook slot after `firstAfterMs` (0: now), then every
     * `everyMs`; a failed sweep is logged and the next one tries again.
     */
    const timers: NodeJS.Timeout[] = [];
    const schedule = (what: string, level: "warn" | "error", task: () => Promise<unknown>, { firstAfterMs, everyMs }: SweepTiming) => {
      const sweep = () => limit(task).catch((error: unknown) => app.log[level]({ err: error }, `could not ${what}`));
      const start = () => {
        void sweep();
        timers.push(setInterval(sweep, everyMs).unref());
      };
      if (firstAfterMs === 0) start();
      else timers.push(setTimeout(start, firstAfterMs).unref());
    };
    schedule("end tests stuck in requested", "error", () => recoverStuckRequests(services), { firstAfterMs: 0, everyMs: stuckSweepEveryMs });
    // Not at once: GitHub redelivers within seconds, and the server must be listening by then.
    if (redelivery) {
      schedule("look for failed webhook deliveries", "warn", async () => redeliverFailedWebhooks({ appOctokit: await app.auth(), store: services.store, log: app.log, now }), redelivery);
    }
    if (expirySweep) schedule("destroy expired environments", "error", () => destroyExpiredEnvironments(services), expirySweep);
    const drain = async (graceMs: number) => {
      for (const timer of timers) clearTimeout(timer);
      const left = await limit.drain(graceMs);
      if (left === 0) ownStore?.close();
      return left;
    };
    onReady?.(services, { drain });
  };
}
