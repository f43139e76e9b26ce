/**
 * Turns the untyped JSON of Airflow API answers into the typed shapes of airflow-types.ts,
 * checking the fields we rely on. A mismatch throws AirflowResponseError naming the field.
 */
import { AirflowResponseError } from "./airflow-errors.js";
import type { Dag, DagImportError, DagRun, HealthInfo, HealthStatus, TaskInstance } from "./airflow-types.js";

type JsonObject = Record<string, unknown>;

export function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

class Reader {
  constructor(
    private readonly url: string,
    private readonly what: string,
    private readonly obj: JsonObject,
  ) {}

  private fail(key: string, expected: string): never {
    const got = this.obj[key];
    const shown = got === undefined ? "missing" : JSON.stringify(got)?.slice(0, 60);
    throw new AirflowResponseError(this.url, `${this.what}.${key} should be ${expected} but is ${shown}`);
  }

  string(key: string): string {
    const v = this.obj[key];
    return typeof v === "string" ? v : this.fail(key, "a string");
  }

  stringOrNull(key: string): string | null {
    const v = this.obj[key];
    if (v === undefined || v === null) return null;
    return typeof v === "string" ? v : this.fail(key, "a string or null");
  }

  number(key: string): number {
    const v = this.obj[key];
    return typeof v === "number" ? v : this.fail(key, "a number");
  }

  numberOrNull(key: string): number | null {
    const v = this.obj[key];
    if (v === undefined || v === null) return null;
    return typeof v === "number" ? v : this.fail(key, "a number or null");
  }

  boolean(key: string): boolean {
    const v = this.obj[key];
    return typeof v === "boolean" ? v : this.fail(key, "true or false");
  }

  booleanOrNull(key: string): boolean | null {
    const v = this.obj[key];
    if (v === undefined || v === null) return null;
    return typeof v === "boolean" ? v : this.fail(key, "true, false or null");
  }

  objectOrNull(key: string): JsonObject | null {
    const v = this.obj[key];
    if (v === undefined || v === null) return null;
    return isObject(v) ? v : this.fail(key, "an object or null");
  }

  array(key: string): unknown[] {
    const v = this.obj[key];
    return Array.isArray(v) ? v : this.fail(key, "an array");
  }
}

function reader(url: string, what: string, value: unknown): Reader {
  if (!isObject(value)) {
    throw new AirflowResponseError(url, `${what} should be a JSON object`);
  }
  return new Reader(url, what, value);
}

export function parseDag(url: string, value: unknown): Dag {
  const r = reader(url, "dag", value);
  return {
    dag_id: r.string("dag_id"),
    is_paused: r.boolean("is_paused"),
    is_stale: r.booleanOrNull("is_stale"),
    has_import_errors: r.booleanOrNull("has_import_errors"),
    relative_fileloc: r.stringOrNull("relative_fileloc"),
    last_parsed_time: r.stringOrNull("last_parsed_time"),
    file_token: r.stringOrNull("file_token"),
  };
}

export function parseDagRun(url: string, value: unknown): DagRun {
  const r = reader(url, "dag_run", value);
  return {
    dag_id: r.string("dag_id"),
    dag_run_id: r.string("dag_run_id"),
    state: r.string("state"),
    logical_date: r.stringOrNull("logical_date"),
    queued_at: r.stringOrNull("queued_at"),
    start_date: r.stringOrNull("start_date"),
    end_date: r.stringOrNull("end_date"),
    duration: r.numberOrNull("duration"),
    run_type: r.string("run_type"),
    conf: r.objectOrNull("conf"),
    note: r.stringOrNull("note"),
  };
}

export function parseTaskInstance(url: string, value: unknown): TaskInstance {
  const r = reader(url, "task_instance", value);
  return {
    task_id: r.string("task_id"),
    dag_id: r.string("dag_id"),
    dag_run_id: r.string("dag_run_id"),
    map_index: r.number("map_index"),
    state: r.stringOrNull("state"),
    try_number: r.number("try_number"),
    max_tries: r.number("max_tries"),
    start_date: r.stringOrNull("start_date"),
    end_date: r.stringOrNull("end_date"),
    duration: r.numberOrNull("duration"),
    operator: r.stringOrNull("operator"),
  };
}

/** A page of a collection endpoint: `{ <itemsKey>: [...], total_entries: n }`. */
export function parsePage<T>(
  url: string,
  value: unknown,
  itemsKey: string,
  parseItem: (url: string, item: unknown) => T,
): { items: T[]; totalEntries: number } {
  const r = reader(url, "page", value);
  return {
    items: r.array(itemsKey).map((item) => parseItem(url, item)),
    totalEntries: r.number("total_entries"),
  };
}

export function parseDagId(url: string, value: unknown): string {
  return reader(url, "dag", value).string("dag_id");
}

export function parseImportError(url: string, value: unknown): DagImportError {
  const r = reader(url, "import_error", value);
  return { filename: r.string("filename"), stack_trace: r.stringOrNull("stack_trace") ?? "" };
}

function parseHealthStatus(r: Reader): HealthStatus {
  return r.stringOrNull("status");
}

export function parseHealth(url: string, value: unknown): HealthInfo {
  const r = reader(url, "health", value);
  const part = (key: string): Reader => reader(url, `health.${key}`, r.objectOrNull(key) ?? { status: null });
  const metadatabase = part("metadatabase");
  const scheduler = part("scheduler");
  const triggerer = part("triggerer");
  const dagProcessor = r.objectOrNull("dag_processor");
  const dagProcessorReader = dagProcessor === null ? null : reader(url, "health.dag_processor", dagProcessor);
  return {
    metadatabase: { status: parseHealthStatus(metadatabase) },
    scheduler: {
      status: parseHealthStatus(scheduler),
      latest_scheduler_heartbeat: scheduler.stringOrNull("latest_scheduler_heartbeat"),
    },
    triggerer: {
      status: parseHealthStatus(triggerer),
      latest_triggerer_heartbeat: triggerer.stringOrNull("latest_triggerer_heartbeat"),
    },
    dag_processor:
      dagProcessorReader === null
        ? null
        : {
            status: parseHealthStatus(dagProcessorReader),
            latest_dag_processor_heartbeat: dagProcessorReader.stringOrNull("latest_dag_processor_heartbeat"),
          },
  };
}

export function parseAccessToken(url: string, value: unknown): string {
  return reader(url, "token response", value).string("access_token");
}

/** FastAPI error bodies: `{"detail": "text"}` or `{"detail": [{"loc": [...], "msg": "..."}]}`. */
export function describeErrorBody(text: string): string {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return text.trim().slice(0, 500) || "(empty body)";
  }
  if (!isObject(body)) return text.trim().slice(0, 500);
  const detail = body["detail"];
  if (typeof detail === "string") return detail;
  if (Array.isArray(detail)) {
    return detail
      .map((d) => {
        if (!isObject(d)) return JSON.stringify(d);
        const loc = Array.isArray(d["loc"]) ? d["loc"].map(String).join(".") : "";
        const msg = typeof d["msg"] === "string" ? d["msg"] : JSON.stringify(d);
        return loc ? `${loc}: ${msg}` : msg;
      })
      .join("; ");
  }
  return JSON.stringify(body).slice(0, 500);
}
