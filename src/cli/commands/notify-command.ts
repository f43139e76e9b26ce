import { randomUUID } from "node:crypto";
import { setTimeout as delay } from "node:timers/promises";
import { InvalidArgumentError } from "commander";
import { callbackEventSchema, type CallbackEvent, type CallbackEventType } from "../../bot/callbacks/callback-event.js";
import { CALLBACK_PATH, signCallback } from "../../bot/callbacks/sign-callback.js";
import type { ShadowReport } from "../../core/shadow-report.js";
import { EXIT, EnvironmentError, ExitError, UsageError } from "../cli-errors.js";
import { printOutput } from "../print-output.js";
import { readReportFile } from "../read-report-file.js";

export const NOTIFY_EVENTS = ["phase", "ready", "migrations", "dag_result", "destroyed", "failed"] as const satisfies readonly CallbackEventType[];

/** Environment variables `notify` reads: the secret is never a flag, so it cannot reach a log or `ps`. */
export const CALLBACK_URL_ENV = "SHADOWOPS_CALLBACK_URL";
export const CALLBACK_SECRET_ENV = "SHADOWOPS_CALLBACK_SECRET";

export interface NotifyCommandOptions {
  event: CallbackEventType;
  env: string;
  /** The commit the pipeline deploys (shadowops_commit): the bot ignores events about older ones. */
  commit?: string;
  repository?: string;
  /** Default: $CIRCLE_PIPELINE_ID. */
  pipelineId?: string;
  phase?: string;
  message?: string;
  reason?: string;
  airflowUrl?: string;
  costPerHour?: number;
  /** A ShadowReport file (`shadowops test --json`) for dag_result and migrations. */
  report?: string;
  /** The bot's URL; default $SHADOWOPS_CALLBACK_URL. */
  url?: string;
  /** Further attempts after the first, with exponential backoff. */
  retries: number;
  /** A delivery failure is a warning (exit 0), for progress events that must not stop a job. */
  bestEffort?: boolean;
  json?: boolean;
}

export interface NotifyDependencies {
  env: NodeJS.ProcessEnv;
  fetch: typeof globalThis.fetch;
  sleep: (ms: number) => Promise<void>;
  /** Epoch milliseconds. */
  now: () => number;
  /** Progress lines (stderr). */
  log: (line: string) => void;
}

const ATTEMPT_TIMEOUT_MS = 15_000;
const FIRST_BACKOFF_MS = 1_000;

const defaultDependencies = (): NotifyDependencies => ({
  env: process.env,
  fetch: globalThis.fetch,
  sleep: delay,
  now: Date.now,
  log: (line) => process.stderr.write(`${line}\n`),
});

/**
 * `shadowops notify`: sends one signed callback event to the ShadowOps bot, as the orb's steps
 * do. Transient failures (no connection, timeouts, 5xx, 429) are retried with backoff; when
 * every attempt failed the command exits 3 naming the URL. A refusal (4xx) is not retried.
 */
export async function runNotifyCommand(options: NotifyCommandOptions, deps: NotifyDependencies = defaultDependencies()): Promise<number> {
  const secret = deps.env[CALLBACK_SECRET_ENV] ?? "";
  if (secret === "") {
    throw new UsageError(`${CALLBACK_SECRET_ENV} is not set: notify signs its callbacks with the secret the bot was given (it is read from the environment only)`);
  }
  const endpoint = callbackEndpoint(options.url ?? deps.env[CALLBACK_URL_ENV] ?? "");
  const event = await buildEvent(options, deps.env);
  try {
    return await deliver({ options, deps, secret, endpoint, event });
  } catch (error) {
    if (!options.bestEffort || !(error instanceof ExitError)) throw error;
    deps.log(`shadowops notify: warning: ${error.message} (--best-effort: carrying on)`);
    return EXIT.ok;
  }
}

async function deliver(params: { options: NotifyCommandOptions; deps: NotifyDependencies; secret: string; endpoint: string; event: CallbackEvent }): Promise<number> {
  const { options, deps, secret, endpoint, event } = params;
  const shown = displayUrl(endpoint);
  const body = JSON.stringify(event);

  const attempts = options.retries + 1;
  let lastTimestamp = 0;
  let lastProblem = "";
  for (let attempt = 1; attempt <= attempts; attempt += 1) {
    if (attempt > 1) {
      const waitMs = FIRST_BACKOFF_MS * 2 ** (attempt - 2);
      deps.log(`shadowops notify: ${lastProblem}; retrying in ${waitMs / 1_000} s (attempt ${attempt} of ${attempts})`);
      await deps.sleep(waitMs);
    }
    // A fresh signature per attempt: the bot refuses a signature it has seen before.
    const timestamp = Math.max(Math.floor(deps.now() / 1_000), lastTimestamp + 1);
    lastTimestamp = timestamp;
    const headers = signCallback({ secret, body, timestamp });
    let response: Response;
    try {
      response = await deps.fetch(endpoint, { method: "POST", headers, body, signal: AbortSignal.timeout(ATTEMPT_TIMEOUT_MS) });
    } catch (error) {
      lastProblem = `cannot reach ${shown}: ${networkCause(error).replaceAll(endpoint, shown)}`;
      continue;
    }
    const answer = await readAnswer(response);
    if (response.ok || response.status === 409) {
      const outcome =
        response.status === 409
          ? "already delivered (the bot has this event)"
          : response.status === 202
            ? `accepted but ignored (${String(answer.reason ?? "no reason given")})`
            : "applied";
      printOutput({
        json: Boolean(options.json),
        data: { id: event.id, type: event.type, environment: event.environment, status: response.status, attempts: attempt },
        text: () => `sent ${event.type} event ${event.id} for ${event.environment} to ${shown}: HTTP ${response.status}, ${outcome}`,
      });
      return EXIT.ok;
    }
    if (response.status === 429 || response.status >= 500) {
      lastProblem = `${shown} answered HTTP ${response.status}${answer.error ? ` (${String(answer.error)})` : ""}`;
      continue;
    }
    throw new UsageError(refusal(response.status, answer, shown, event));
  }
  throw new EnvironmentError(
    `could not deliver the ${event.type} callback for ${event.environment} to ${shown} after ${attempts} attempt${attempts === 1 ? "" : "s"}: ${lastProblem}`,
  );
}

/** The bot's base URL gets the callback path; a URL with a path is used as it is. */
export function callbackEndpoint(raw: string): string {
  if (raw.trim() === "") {
    throw new UsageError(`no callback URL: set ${CALLBACK_URL_ENV} to the bot's URL (e.g. https://shadowops.example.com) or pass --url`);
  }
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    throw new UsageError(`the callback URL is not a URL: ${JSON.stringify(displayUrl(raw))}`);
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw new UsageError(`the callback URL must be http or https, not ${url.protocol}`);
  }
  if (url.username !== "" || url.password !== "") {
    throw new UsageError("the callback URL must not hold a user name or password: callbacks are authenticated by their signature");
  }
  if (url.pathname === "/" || url.pathname === "") url.pathname = CALLBACK_PATH;
  return url.toString();
}

/** The URL as it may be printed: no user info, query or fragment (they could carry a token). */
export function displayUrl(raw: string): string {
  try {
    const url = new URL(raw);
    return `${url.protocol}//${url.host}${url.pathname}`;
  } catch {
    return "(unparsable URL)";
  }
}

async function buildEvent(options: NotifyCommandOptions, env: NodeJS.ProcessEnv): Promise<CallbackEvent> {
  const commit = options.commit?.trim() || undefined;
  if (commit !== undefined && !/^[0-9a-f]{40}$/.test(commit)) {
    throw new UsageError(`--commit must be a full 40-character lowercase commit SHA, got ${JSON.stringify(commit)}`);
  }
  const pipelineId = (options.pipelineId ?? env.CIRCLE_PIPELINE_ID ?? "").trim() || undefined;
  const base = { id: randomUUID(), environment: options.env, ...(commit ? { commit } : {}), ...(pipelineId ? { pipeline_id: pipelineId } : {}) };
  const require = (value: string | undefined, flag: string): string => {
    if (value === undefined || value.trim() === "") throw new UsageError(`--event ${options.event} needs ${flag}`);
    return value;
  };

  let event: Record<string, unknown>;
  switch (options.event) {
    case "phase":
      event = { ...base, type: "phase", phase: require(options.phase, "--phase"), ...(options.message ? { message: options.message } : {}) };
      break;
    case "ready":
      event = {
        ...base,
        type: "ready",
        airflow_url: require(options.airflowUrl, "--airflow-url"),
        ...(options.costPerHour !== undefined ? { cost_per_hour_usd: options.costPerHour } : {}),
      };
      break;
    case "migrations":
      event = { ...base, type: "migrations", migrations: (await readReport(require(options.report, "--report FILE"), options)).migrations };
      break;
    case "dag_result":
      event = { ...base, type: "dag_result", report: await readReport(require(options.report, "--report FILE"), options) };
      break;
    case "destroyed":
      event = { ...base, type: "destroyed", ...(options.reason ? { reason: options.reason } : {}) };
      break;
    case "failed":
      event = { ...base, type: "failed", reason: require(options.reason, "--reason"), ...(options.phase ? { phase: options.phase } : {}) };
      break;
    default:
      throw new UsageError(`unknown event ${JSON.stringify(options.event)}: use one of ${NOTIFY_EVENTS.join(", ")}`);
  }
  const parsed = callbackEventSchema.safeParse(event);
  if (!parsed.success) {
    const problems = parsed.error.issues.slice(0, 10).map((issue) => `${issue.path.join(".") || "(event)"}: ${issue.message}`);
    throw new UsageError(`the ${options.event} event is not valid: ${problems.join("; ")}`);
  }
  return parsed.data;
}

/** A ShadowReport file, with the repository and commit filled in when given. */
async function readReport(file: string, options: NotifyCommandOptions): Promise<ShadowReport> {
  const report = await readReportFile(file);
  return {
    ...report,
    ...(report.repository === undefined && options.repository ? { repository: options.repository } : {}),
    ...(report.commit === undefined && options.commit ? { commit: options.commit } : {}),
  };
}

async function readAnswer(response: Response): Promise<Record<string, unknown>> {
  const text = await response.text().catch(() => "");
  try {
    const json = JSON.parse(text) as unknown;
    return json !== null && typeof json === "object" ? (json as Record<string, unknown>) : {};
  } catch {
    return text.trim() ? { error: text.trim().slice(0, 200) } : {};
  }
}

function refusal(status: number, answer: Record<string, unknown>, shown: string, event: CallbackEvent): string {
  const said = answer.error ? `: ${String(answer.error)}` : "";
  const problems = Array.isArray(answer.problems) ? ` (${answer.problems.slice(0, 5).map(String).join("; ")})` : "";
  const hint =
    status === 401
      ? ` Check that ${CALLBACK_SECRET_ENV} is the bot's secret and that this machine's clock is right.`
      : status === 404
        ? ` Is ${shown} the ShadowOps bot, and did it start environment ${event.environment}?`
        : "";
  return `${shown} refused the ${event.type} callback for ${event.environment} with HTTP ${status}${said}${problems}.${hint}`;
}

function networkCause(error: unknown): string {
  if (error instanceof Error) {
    if (error.name === "TimeoutError") return `no answer within ${ATTEMPT_TIMEOUT_MS / 1_000} s`;
    const cause = (error as Error & { cause?: { code?: string; message?: string } }).cause;
    if (cause?.code) return cause.code;
    if (cause?.message) return cause.message;
    return error.message;
  }
  return String(error);
}

/** `--retries N`: a whole number 0–10. */
export function parseRetries(value: string): number {
  const count = Number(value);
  if (!Number.isInteger(count) || count < 0 || count > 10) throw new InvalidArgumentError("expected a whole number of retries from 0 to 10");
  return count;
}

/** `--cost-per-hour USD`: a non-negative number. */
export function parseUsd(value: string): number {
  const usd = Number(value);
  if (value.trim() === "" || !Number.isFinite(usd) || usd < 0) throw new InvalidArgumentError("expected an amount in US dollars, e.g. 1.25");
  return usd;
}
