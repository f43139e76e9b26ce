/**
 * Client for the Airflow 3 public REST API v2 (checked against Airflow 3.3.2).
 *
 * Auth: `POST /auth/token` with the username and password gives a JWT, sent as a bearer
 * token. The token is cached, renewed a minute before its `exp`, and renewed once when the
 * API answers 401 (expired) or 403 "Invalid JWT token" (e.g. the api-server restarted with
 * another JWT secret).
 */
import {
  AirflowAuthError,
  AirflowConnectionError,
  AirflowHttpError,
  AirflowResponseError,
  DagRunAlreadyExistsError,
  UnknownDagError,
} from "./airflow-errors.js";
import type {
  AirflowClientOptions,
  Dag,
  DagImportError,
  DagRun,
  HealthInfo,
  TaskInstance,
  TriggerDagRunRequest,
} from "./airflow-types.js";
import {
  describeErrorBody,
  parseAccessToken,
  parseDag,
  parseDagId,
  parseDagRun,
  parseHealth,
  parseImportError,
  parsePage,
  parseTaskInstance,
} from "./parse-airflow-response.js";
import { tailOfLines, taskLogToLines } from "./task-log-to-text.js";

const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;
/** Airflow caps `limit` at `[api] maximum_page_limit` (100 by default) without saying so. */
const PAGE_SIZE = 100;
/** Renew the token this long before it expires (at most half its lifetime). */
const TOKEN_RENEWAL_MARGIN_MS = 60_000;

type Query = Record<string, string | number | boolean | undefined>;

interface RequestOptions {
  query?: Query;
  body?: unknown;
  accept?: string;
  /** Overrides the client's per-request timeout. */
  timeoutMs?: number;
}

interface RawResponse {
  status: number;
  text: string;
  url: string;
  method: string;
}

interface CachedToken {
  value: string;
  /**
   * When to log in again: a minute before the JWT's `exp` (or half-way for short-lived tokens);
   * null when the token has no readable `exp` (then only a 401 renews it).
   */
  renewAtMs: number | null;
}

export class AirflowClient {
  readonly baseUrl: string;
  readonly username: string;
  private readonly password: string;
  private readonly fetchImpl: typeof fetch;
  private readonly requestTimeoutMs: number;
  private token: CachedToken | null = null;
  private tokenRequest: Promise<string> | null = null;

  constructor(options: AirflowClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, "");
    this.username = options.username;
    this.password = options.password;
    this.fetchImpl = options.fetch ?? globalThis.fetch;
    this.requestTimeoutMs = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  }

  /** Link to a DAG run in the Airflow 3 UI. */
  dagRunUrl(dagId: string, runId: string): string {
    return `${this.baseUrl}/dags/${encodeURIComponent(dagId)}/runs/${encodeURIComponent(runId)}`;
  }

  /** Link to a task instance's logs in the Airflow 3 UI. */
  taskInstanceUrl(dagId: string, runId: string, taskId: string): string {
    return `${this.dagRunUrl(dagId, runId)}/tasks/${encodeURIComponent(taskId)}`;
  }

  // ---------------------------------------------------------------- auth

  /** A valid access token, from the cache or from `POST /auth/token`. */
  async getToken(): Promise<string> {
    const cached = this.token;
    if (cached && (cached.renewAtMs === null || Date.now() < cached.renewAtMs)) return cached.value;
    // One login at a time, shared by concurrent callers.
    this.tokenRequest ??= this.login().finally(() => {
      this.tokenRequest = null;
    });
    return this.tokenRequest;
  }

  /** Forget the cached token (only if it is still `token`, when given). */
  invalidateToken(token?: string): void {
    if (token === undefined || this.token?.value === token) this.token = null;
  }

  private async login(): Promise<string> {
    const res = await this.rawFetch("POST", `${this.baseUrl}/auth/token`, {
      body: { username: this.username, password: this.password },
    });
    if (res.status === 401 || res.status === 403) {
      throw new AirflowAuthError(this.baseUrl, this.username, res.status, describeErrorBody(res.text));
    }
    const value = parseAccessToken(res.url, this.expectJson(res));
    const expiresAtMs = jwtExpiry(value);
    const now = Date.now();
    const margin = expiresAtMs === null ? 0 : Math.min(TOKEN_RENEWAL_MARGIN_MS, Math.max(0, expiresAtMs - now) / 2);
    this.token = { value, renewAtMs: expiresAtMs === null ? null : expiresAtMs - margin };
    return value;
  }

  // ---------------------------------------------------------------- monitor

  /** `GET /api/v2/monitor/health` (needs no token). */
  async health(): Promise<HealthInfo> {
    const res = await this.rawFetch("GET", `${this.baseUrl}/api/v2/monitor/health`, {});
    return parseHealth(res.url, this.expectJson(res));
  }

  /**
   * `GET /execution/health`. The api-server builds its execution API (the one task workers
   * call) lazily: the first request takes several seconds (9 s on a 2-core machine), long
   * enough for the first task's first call to time out and be retried. Calling this once after
   * start-up takes that cost off the first task. Returns false when the call fails (e.g. the
   * api-server runs with `--apps core`); never throws.
   */
  async warmUpExecutionApi(timeoutMs = 60_000): Promise<boolean> {
    try {
      const res = await this.rawFetch("GET", `${this.baseUrl}/execution/health`, { timeoutMs });
      return res.status >= 200 && res.status < 300;
    } catch {
      return false;
    }
  }

  // ---------------------------------------------------------------- DAGs

  /** `GET /api/v2/dags/{dag_id}`; an unknown id throws UnknownDagError listing the known DAGs. */
  async getDag(dagId: string): Promise<Dag> {
    const res = await this.request("GET", `/api/v2/dags/${encodeURIComponent(dagId)}`);
    if (res.status === 404) throw await this.unknownDagError(dagId);
    return parseDag(res.url, this.expectJson(res));
  }

  /**
   * Ask the dag-processor to parse a DAG's file now rather than at its next scheduled pass
   * (`[dag_processor] min_file_process_interval`, 30 s): after a redeploy, the new version
   * is then seen in about a second.
   */
  async requestReparse(dagId: string): Promise<void> {
    const dag = await this.getDag(dagId);
    if (!dag.file_token) return;
    const res = await this.request("PUT", `/api/v2/parseDagFile/${encodeURIComponent(dag.file_token)}`);
    this.expectOk(res);
  }

  /** Ids of all DAGs Airflow knows (not stale), sorted. */
  async listDagIds(): Promise<string[]> {
    const ids = await this.paginate("/api/v2/dags", "dags", parseDagId);
    return ids.sort();
  }

  /** DAG files that failed to import (`GET /api/v2/importErrors`). */
  async listImportErrors(): Promise<DagImportError[]> {
    return this.paginate("/api/v2/importErrors", "import_errors", parseImportError);
  }

  /** `PATCH /api/v2/dags/{dag_id}` with `is_paused: false`. New DAGs start paused unless
   * `[core] dags_are_paused_at_creation` is False; a manual run of a paused DAG stays queued. */
  async unpauseDag(dagId: string): Promise<Dag> {
    const res = await this.request("PATCH", `/api/v2/dags/${encodeURIComponent(dagId)}`, {
      query: { update_mask: "is_paused" },
      body: { is_paused: false },
    });
    if (res.status === 404) throw await this.unknownDagError(dagId);
    return parseDag(res.url, this.expectJson(res));
  }

  // ---------------------------------------------------------------- DAG runs

  /** `POST /api/v2/dags/{dag_id}/dagRuns` with `logical_date: null` (Airflow 3's manual-run default). */
  async triggerDagRun(request: TriggerDagRunRequest): Promise<DagRun> {
    const body: Record<string, unknown> = { logical_date: null, conf: request.conf ?? {} };
    if (request.runId !== undefined) body["dag_run_id"] = request.runId;
    if (request.note !== undefined) body["note"] = request.note;
    const res = await this.request("POST", `/api/v2/dags/${encodeURIComponent(request.dagId)}/dagRuns`, { body });
    if (res.status === 404) throw await this.unknownDagError(request.dagId);
    if (res.status === 409) throw new DagRunAlreadyExistsError(request.dagId, request.runId ?? "(generated)");
    return parseDagRun(res.url, this.expectJson(res));
  }

  /** `GET /api/v2/dags/{dag_id}/dagRuns/{dag_run_id}`. */
  async getDagRun(dagId: string, runId: string): Promise<DagRun> {
    const res = await this.request("GET", runPath(dagId, runId));
    return parseDagRun(res.url, this.expectJson(res));
  }

  /** All task instances of a run (every page), ordered by map index then id. */
  async listTaskInstances(dagId: string, runId: string, options: { pageSize?: number } = {}): Promise<TaskInstance[]> {
    return this.paginate(`${runPath(dagId, runId)}/taskInstances`, "task_instances", parseTaskInstance, options.pageSize);
  }

  // ---------------------------------------------------------------- logs

  /** A task attempt's log as plain text lines (structured records rendered as `timestamp LEVEL message`). */
  async getTaskLogLines(
    dagId: string,
    runId: string,
    taskId: string,
    tryNumber: number,
    options: { mapIndex?: number } = {},
  ): Promise<string[]> {
    const res = await this.request(
      "GET",
      `${runPath(dagId, runId)}/taskInstances/${encodeURIComponent(taskId)}/logs/${tryNumber}`,
      { query: { full_content: true, map_index: options.mapIndex }, accept: "application/json" },
    );
    this.expectOk(res);
    let body: unknown = res.text;
    try {
      body = JSON.parse(res.text) as unknown;
    } catch {
      // plain text log: keep the text
    }
    return taskLogToLines(body);
  }

  /** The last `maxLines` lines of a task attempt's log, as plain text. */
  async getTaskLogTail(
    dagId: string,
    runId: string,
    taskId: string,
    tryNumber: number,
    maxLines: number,
    options: { mapIndex?: number } = {},
  ): Promise<string> {
    const lines = await this.getTaskLogLines(dagId, runId, taskId, tryNumber, options);
    return tailOfLines(lines, maxLines);
  }

  // ---------------------------------------------------------------- plumbing

  private async unknownDagError(dagId: string): Promise<UnknownDagError> {
    const [available, importErrors] = await Promise.all([
      this.listDagIds().catch((): string[] => []),
      this.listImportErrors().catch((): DagImportError[] => []),
    ]);
    return new UnknownDagError(
      dagId,
      available,
      importErrors.map((e) => ({ filename: e.filename, firstLine: lastNonEmptyLine(e.stack_trace) })),
    );
  }

  private async paginate<T>(
    path: string,
    itemsKey: string,
    parseItem: (url: string, item: unknown) => T,
    pageSize: number = PAGE_SIZE,
  ): Promise<T[]> {
    const items: T[] = [];
    for (;;) {
      const res = await this.request("GET", path, { query: { limit: pageSize, offset: items.length } });
      const page = parsePage(res.url, this.expectJson(res), itemsKey, parseItem);
      items.push(...page.items);
      // Advance by what came back: the server may cap the limit below what we asked for.
      if (page.items.length === 0 || items.length >= page.totalEntries) return items;
    }
  }

  /** An authenticated request; renews the token once when the API rejects it. */
  private async request(method: string, path: string, options: RequestOptions = {}): Promise<RawResponse> {
    const url = buildUrl(this.baseUrl, path, options.query);
    for (let attempt = 0; ; attempt++) {
      const token = await this.getToken();
      const res = await this.rawFetch(method, url, options, token);
      if (!isRejectedToken(res)) return res;
      this.invalidateToken(token);
      if (attempt >= 1) {
        throw new AirflowAuthError(this.baseUrl, this.username, res.status, describeErrorBody(res.text));
      }
    }
  }

  private async rawFetch(method: string, url: string, options: RequestOptions, token?: string): Promise<RawResponse> {
    const headers: Record<string, string> = { Accept: options.accept ?? "application/json" };
    if (token !== undefined) headers["Authorization"] = `Bearer ${token}`;
    let payload: string | undefined;
    if (options.body !== undefined) {
      headers["Content-Type"] = "application/json";
      payload = JSON.stringify(options.body);
    }
    const timeoutMs = options.timeoutMs ?? this.requestTimeoutMs;
    try {
      const response = await this.fetchImpl(url, {
        method,
        headers,
        body: payload,
        signal: AbortSignal.timeout(timeoutMs),
      });
      return { status: response.status, text: await response.text(), url, method };
    } catch (err) {
      throw new AirflowConnectionError(url, describeFetchFailure(err, timeoutMs), { cause: err });
    }
  }

  private expectOk(res: RawResponse): void {
    if (res.status < 200 || res.status >= 300) {
      throw new AirflowHttpError(res.method, res.url, res.status, describeErrorBody(res.text));
    }
  }

  private expectJson(res: RawResponse): unknown {
    this.expectOk(res);
    try {
      return JSON.parse(res.text) as unknown;
    } catch {
      throw new AirflowResponseError(res.url, `the body is not JSON (starts with ${JSON.stringify(res.text.slice(0, 40))})`);
    }
  }
}

function runPath(dagId: string, runId: string): string {
  return `/api/v2/dags/${encodeURIComponent(dagId)}/dagRuns/${encodeURIComponent(runId)}`;
}

function buildUrl(baseUrl: string, path: string, query: Query | undefined): string {
  const url = new URL(baseUrl + path);
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value !== undefined) url.searchParams.set(key, String(value));
  }
  return url.toString();
}

/** 401 = missing or expired token; 403 "Invalid JWT token" = signed with another secret. */
function isRejectedToken(res: RawResponse): boolean {
  if (res.status === 401) return true;
  return res.status === 403 && /invalid jwt|token/i.test(describeErrorBody(res.text));
}

function jwtExpiry(token: string): number | null {
  const payload = token.split(".")[1];
  if (payload === undefined) return null;
  try {
    const claims = JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as unknown;
    if (typeof claims === "object" && claims !== null && "exp" in claims && typeof claims.exp === "number") {
      return claims.exp * 1000;
    }
  } catch {
    // not a JWT we can read: rely on 401 to renew it
  }
  return null;
}

function describeFetchFailure(err: unknown, timeoutMs: number): string {
  if (err instanceof Error) {
    if (err.name === "TimeoutError" || err.name === "AbortError") return `no answer within ${timeoutMs} ms`;
    const cause: unknown = err.cause;
    if (cause instanceof Error) {
      const code = "code" in cause && typeof cause.code === "string" ? cause.code : null;
      return code ? `${code}: ${cause.message}` : cause.message;
    }
    return err.message;
  }
  return String(err);
}

function lastNonEmptyLine(text: string): string {
  const lines = text.split("\n").filter((l) => l.trim() !== "");
  return (lines[lines.length - 1] ?? "").trim().slice(0, 200);
}
