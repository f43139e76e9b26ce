/**
 * Types for the parts of the Airflow 3 public REST API v2 that ShadowOps uses.
 *
 * Field names mirror the API's JSON (snake_case) so a response can be compared with the
 * Airflow documentation at a glance. Only the fields we read are declared; the API returns
 * more. Checked against Airflow 3.3.2.
 */

/** How to reach one Airflow api-server and log in to it (SimpleAuthManager or any auth manager with /auth/token). */
export interface AirflowConnection {
  /** Root URL of the api-server, e.g. `http://127.0.0.1:8080` (no `/api/v2` suffix). */
  baseUrl: string;
  username: string;
  password: string;
  /** Injected fetch (tests hand in a fake); defaults to Node's global fetch. */
  fetch?: typeof fetch;
}

export interface AirflowClientOptions extends AirflowConnection {
  /** Timeout of one HTTP request in milliseconds (default 30 000). */
  requestTimeoutMs?: number;
}

/** States of a DAG run (`DagRunState` in Airflow). Unknown future values pass through as strings. */
export type DagRunState = "queued" | "running" | "success" | "failed" | (string & {});

/**
 * States of a task instance (`TaskInstanceState` in Airflow). `null` means "no status yet"
 * (the task exists in the run but the scheduler has not looked at it).
 */
export type TaskInstanceState =
  | "scheduled"
  | "queued"
  | "running"
  | "success"
  | "failed"
  | "skipped"
  | "upstream_failed"
  | "up_for_retry"
  | "up_for_reschedule"
  | "restarting"
  | "deferred"
  | "removed"
  | "awaiting_input"
  | (string & {});

export const TERMINAL_DAG_RUN_STATES: readonly string[] = ["success", "failed"];

export const TERMINAL_TASK_STATES: readonly string[] = [
  "success",
  "failed",
  "skipped",
  "upstream_failed",
  "removed",
];

/** `GET /api/v2/dags/{dag_id}` (DAGResponse), reduced. */
export interface Dag {
  dag_id: string;
  is_paused: boolean;
  /** True when the DAG's file no longer defines it. */
  is_stale: boolean | null;
  has_import_errors: boolean | null;
  /** File path relative to the DAG bundle root, e.g. `pipeline.py`. */
  relative_fileloc: string | null;
  last_parsed_time: string | null;
  /** Opaque token naming the DAG's file, for `PUT /api/v2/parseDagFile/{file_token}`. */
  file_token: string | null;
}

/** `GET /api/v2/dags/{dag_id}/dagRuns/{dag_run_id}` (DAGRunResponse), reduced. */
export interface DagRun {
  dag_id: string;
  dag_run_id: string;
  state: DagRunState;
  /** Null for runs triggered with `logical_date: null` (the Airflow 3 default for manual runs). */
  logical_date: string | null;
  queued_at: string | null;
  start_date: string | null;
  end_date: string | null;
  /** Seconds; present from Airflow 3.1 on. */
  duration: number | null;
  /** `manual`, `scheduled`, `backfill`, `asset_triggered`… */
  run_type: string;
  conf: Record<string, unknown> | null;
  note: string | null;
}

/** One entry of `GET …/dagRuns/{dag_run_id}/taskInstances` (TaskInstanceResponse), reduced. */
export interface TaskInstance {
  task_id: string;
  dag_id: string;
  dag_run_id: string;
  /** -1 for an unmapped task, else the index of the mapped copy. */
  map_index: number;
  state: TaskInstanceState | null;
  /** 0 until the task first runs, then 1, 2… for each attempt (retries increase it). */
  try_number: number;
  /** Number of retries allowed (`retries` of the operator). */
  max_tries: number;
  start_date: string | null;
  end_date: string | null;
  /** Seconds between start_date and end_date, null while running. */
  duration: number | null;
  /** Operator class name, e.g. `BashOperator`. */
  operator: string | null;
}

/** `"healthy"`, `"unhealthy"`, or null when the component never ran (triggerer, dag processor). */
export type HealthStatus = "healthy" | "unhealthy" | (string & {}) | null;

/** `GET /api/v2/monitor/health` (no authentication needed). */
export interface HealthInfo {
  metadatabase: { status: HealthStatus };
  scheduler: { status: HealthStatus; latest_scheduler_heartbeat: string | null };
  triggerer: { status: HealthStatus; latest_triggerer_heartbeat: string | null };
  /** Absent on Airflow versions before the standalone dag processor existed. */
  dag_processor: { status: HealthStatus; latest_dag_processor_heartbeat: string | null } | null;
}

export type HealthComponent = "metadatabase" | "scheduler" | "triggerer" | "dag_processor";

/** One entry of `GET /api/v2/importErrors`: a DAG file that failed to parse. */
export interface DagImportError {
  filename: string;
  stack_trace: string;
}

export interface TriggerDagRunRequest {
  dagId: string;
  /** Run id to use; Airflow generates `manual__<timestamp>` when omitted. */
  runId?: string;
  /** The run's `conf` (available to tasks as `dag_run.conf`). Defaults to `{}`. */
  conf?: Record<string, unknown>;
  note?: string;
}
