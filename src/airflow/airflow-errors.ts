/**
 * Errors raised by the Airflow client and its waiters. Each message says what went wrong and
 * what to try next; the structured fields let a caller render its own text.
 */
import { formatDuration } from "../core/format-duration.js";
import type { HealthInfo, TaskInstance } from "./airflow-types.js";

/** Base class: `err instanceof AirflowError` catches everything from this folder. */
export class AirflowError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** The api-server could not be reached at all (connection refused, DNS, timeout). */
export class AirflowConnectionError extends AirflowError {
  constructor(
    readonly url: string,
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super(
      `Could not reach Airflow at ${url} (${reason}). ` +
        "Check that the Airflow api-server is running and that the URL and port are right.",
      options,
    );
  }
}

/** `/auth/token` refused the credentials, or a fresh token was still rejected. */
export class AirflowAuthError extends AirflowError {
  constructor(
    readonly baseUrl: string,
    readonly username: string,
    readonly status: number,
    readonly detail: string,
  ) {
    super(
      `Airflow at ${baseUrl} rejected the login of user "${username}" (HTTP ${status}: ${detail}). ` +
        "Check the username and password; with SimpleAuthManager the password is in " +
        "[core] simple_auth_manager_passwords_file (default $AIRFLOW_HOME/simple_auth_manager_passwords.json.generated) " +
        "and the user must be listed in [core] simple_auth_manager_users.",
    );
  }
}

/** Any other non-2xx answer of the API. */
export class AirflowHttpError extends AirflowError {
  constructor(
    readonly method: string,
    readonly url: string,
    readonly status: number,
    readonly detail: string,
  ) {
    super(`Airflow API ${method} ${url} failed with HTTP ${status}: ${detail}. ${hintForStatus(status)}`);
  }
}

function hintForStatus(status: number): string {
  if (status === 403) return "The user lacks the permission; give it the admin or op role.";
  if (status === 404) return "Check the DAG id, run id and task id.";
  if (status === 422) return "The request does not match this Airflow version's API; check the Airflow version.";
  if (status >= 500) return "Airflow failed internally; see the api-server log.";
  return "See the api-server log for details.";
}

/** A 2xx answer whose JSON does not have the shape we rely on (wrong URL, proxy page, other version). */
export class AirflowResponseError extends AirflowError {
  constructor(
    readonly url: string,
    readonly problem: string,
  ) {
    super(
      `Unexpected answer from Airflow at ${url}: ${problem}. ` +
        "Check that the URL points at an Airflow 3 api-server (the public REST API v2), not a proxy or another service.",
    );
  }
}

/** The DAG id is not known to Airflow (not parsed, misspelt, or its file failed to import). */
export class UnknownDagError extends AirflowError {
  constructor(
    readonly dagId: string,
    readonly availableDagIds: readonly string[],
    readonly importErrors: readonly { filename: string; firstLine: string }[] = [],
  ) {
    super(UnknownDagError.describe(dagId, availableDagIds, importErrors));
  }

  private static describe(
    dagId: string,
    available: readonly string[],
    importErrors: readonly { filename: string; firstLine: string }[],
  ): string {
    const shown = available.slice(0, 20);
    const more = available.length > shown.length ? `, … (${available.length - shown.length} more)` : "";
    const list = available.length === 0 ? "none" : shown.join(", ") + more;
    let message = `Airflow has no DAG "${dagId}". Available DAGs: ${list}.`;
    if (importErrors.length > 0) {
      const files = importErrors.map((e) => `${e.filename} (${e.firstLine})`).join("; ");
      message += ` These DAG files failed to import, the DAG may be in one of them: ${files}.`;
    }
    message +=
      " Check the dag_id in the DAG file and in the ShadowOps config; a new file takes up to" +
      " [dag_processor] refresh_interval seconds to be parsed.";
    return message;
  }
}

/** `POST …/dagRuns` with a run id that already exists. */
export class DagRunAlreadyExistsError extends AirflowError {
  constructor(
    readonly dagId: string,
    readonly runId: string,
  ) {
    super(
      `DAG "${dagId}" already has a run with id "${runId}". ` +
        "Use another run id, or omit it to let Airflow generate one.",
    );
  }
}

/** A DAG run did not reach a terminal state (success/failed) within the allowed time. */
export class DagRunTimeoutError extends AirflowError {
  constructor(
    readonly dagId: string,
    readonly runId: string,
    readonly timeoutMs: number,
    readonly lastState: string | null,
    readonly unfinishedTasks: readonly Pick<TaskInstance, "task_id" | "map_index" | "state">[],
    readonly runUrl?: string,
  ) {
    const tasks =
      unfinishedTasks.length === 0
        ? "none"
        : unfinishedTasks
            .map((t) => `${t.task_id}${t.map_index >= 0 ? `[${t.map_index}]` : ""} (${t.state ?? "no status"})`)
            .join(", ");
    super(
      `DAG run "${runId}" of "${dagId}" did not finish within ${formatDuration(timeoutMs)} ` +
        `(last state: ${lastState ?? "unknown"}; unfinished tasks: ${tasks}). ` +
        (runUrl ? `Look at ${runUrl} to see what it waits for; ` : "Look at the run in the Airflow UI; ") +
        "tasks stuck in queued usually mean the scheduler or its workers are down. " +
        "Raise the timeout if the pipeline is just slow.",
    );
  }
}

/** The health endpoint did not report the required components healthy in time. */
export class AirflowNotHealthyError extends AirflowError {
  constructor(
    readonly baseUrl: string,
    readonly timeoutMs: number,
    readonly lastHealth: HealthInfo | null,
    readonly unhealthyComponents: readonly string[],
    readonly lastError: Error | null,
  ) {
    const what =
      lastHealth === null
        ? `the api-server never answered${lastError ? ` (last error: ${lastError.message})` : ""}`
        : `still not healthy: ${unhealthyComponents.join(", ")}`;
    super(
      `Airflow at ${baseUrl} did not become healthy within ${formatDuration(timeoutMs)}: ${what}. ` +
        "Look at the logs of the api-server, scheduler and dag-processor; " +
        "a component that never heartbeats is usually not running or cannot open the metadata database.",
    );
  }
}

/** A process we started (and were watching through `isAlive`) died while we waited for it. */
export class AirflowProcessExitedError extends AirflowError {
  constructor(readonly reason: string) {
    super(`An Airflow process exited while waiting for Airflow to become healthy: ${reason}. See that process's log.`);
  }
}
