import { setTimeout as sleep } from "node:timers/promises";
import type { AirflowClient } from "../airflow/airflow-client.js";
import { UnknownDagError } from "../airflow/airflow-errors.js";
import type { TaskInstance } from "../airflow/airflow-types.js";
import { waitForDagRun } from "../airflow/wait-for-dag-run.js";
import type { DagRunResult, TaskResult, TaskState } from "../core/shadow-report.js";
import type { Progress } from "./progress.js";

export interface RunDagParams {
  client: AirflowClient;
  dagId: string;
  conf?: Record<string, unknown>;
  /** Wait this long for a DAG that is not parsed yet before calling it unknown. */
  parseTimeoutMs?: number;
  /** Only DAG versions parsed after this moment count (a redeploy must be seen first). */
  parsedAfter?: Date;
  timeoutMs: number;
  logTailLines?: number;
  /** Maps a task id to the script it runs, for annotations (e.g. r/validate_outputs.R). */
  scriptOf?: (taskId: string) => string | undefined;
  progress: Progress;
  signal?: AbortSignal;
}

/** What waiting for a DAG's parse needs: a subset of RunDagParams, so configure can wait too. */
export type ParseWaitParams = Pick<RunDagParams, "client" | "dagId" | "parseTimeoutMs" | "parsedAfter" | "progress" | "signal"> & {
  /** The phase the progress lines belong to (default: run). */
  phase?: string;
};

/** A few of the dag-processor's directory scans (AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL=2). */
const UNKNOWN_DAG_GRACE_MS = 8_000;

/**
 * Run a DAG on any Airflow 3 and collect what a report needs. Shared by every driver: the
 * only difference between a local and an AWS shadow is where the client points.
 */
export async function runDag(params: RunDagParams): Promise<DagRunResult> {
  const { client, dagId, progress, signal } = params;
  await waitUntilParsed(params);
  await client.unpauseDag(dagId);
  const runId = `shadowops__${new Date().toISOString().replace(/[:.]/g, "-")}`;
  await client.triggerDagRun({ dagId, runId, conf: params.conf ?? {}, note: "triggered by shadowops" });
  progress({ phase: "run", message: `${dagId}: run ${runId} triggered` });

  const waited = await waitForDagRun({
    client,
    dagId,
    runId,
    timeoutMs: params.timeoutMs,
    signal,
    onTaskChange: (task, previous) => {
      const attempt = task.try_number > 1 ? ` (try ${task.try_number})` : "";
      progress({ phase: "run", message: `${task.task_id}: ${previous ?? "none"} → ${task.state ?? "none"}${attempt}` });
    },
  });

  const tasks = await Promise.all(
    waited.taskInstances.map((instance) => toTaskResult(client, dagId, runId, instance, params)),
  );
  const run = waited.dagRun;
  return {
    dagId,
    runId,
    state: run.state === "success" ? "success" : run.state === "failed" ? "failed" : "running",
    startedAt: run.start_date ?? undefined,
    endedAt: run.end_date ?? undefined,
    durationMs: durationBetween(run.start_date, run.end_date),
    tasks,
  };
}

/**
 * Waits until Airflow knows the DAG and, with parsedAfter, has parsed its file since then
 * (asking for a re-parse once rather than waiting out the dag-processor's interval).
 */
export async function waitUntilParsed(params: ParseWaitParams): Promise<void> {
  const { client, dagId } = params;
  const started = Date.now();
  const deadline = started + (params.parseTimeoutMs ?? 60_000);
  params.progress({ phase: params.phase ?? "run", message: `waiting for Airflow to parse ${dagId}` });
  let reparseRequested = false;
  for (;;) {
    params.signal?.throwIfAborted();
    try {
      const dag = await client.getDag(dagId);
      const parsedAt = dag.last_parsed_time ? new Date(dag.last_parsed_time) : undefined;
      if (!params.parsedAfter || (parsedAt && parsedAt >= params.parsedAfter)) return;
      if (!reparseRequested) {
        await client.requestReparse(dagId);
        reparseRequested = true;
      }
    } catch (error) {
      // A DAG is unknown until the dag-processor has seen its file, so waiting helps a while.
      // It stops helping when the file failed to import, or when other DAGs of the same
      // folder are known for longer than a few directory scans (2 s apart): then it is a typo.
      if (!(error instanceof UnknownDagError)) throw error;
      const othersKnown = error.availableDagIds.length > 0 && Date.now() - started > UNKNOWN_DAG_GRACE_MS;
      if (Date.now() >= deadline || error.importErrors.length > 0 || othersKnown) throw error;
    }
    if (Date.now() >= deadline) {
      throw new Error(`Airflow did not re-parse ${dagId} after the redeploy within ${(params.parseTimeoutMs ?? 60_000) / 1000} s`);
    }
    await sleep(500);
  }
}

async function toTaskResult(
  client: AirflowClient,
  dagId: string,
  runId: string,
  instance: TaskInstance,
  params: RunDagParams,
): Promise<TaskResult> {
  const state = (instance.state ?? "none") as TaskState;
  let logTail: string | undefined;
  if (state !== "success" && state !== "skipped" && instance.try_number > 0) {
    logTail = await client
      .getTaskLogTail(dagId, runId, instance.task_id, instance.try_number, params.logTailLines ?? 60)
      .catch((error: Error) => `(could not fetch the log: ${error.message})`);
  }
  return {
    taskId: instance.task_id,
    state,
    tryNumber: instance.try_number,
    startedAt: instance.start_date ?? undefined,
    endedAt: instance.end_date ?? undefined,
    durationMs: instance.duration === null ? durationBetween(instance.start_date, instance.end_date) : Math.round(instance.duration * 1000),
    logTail,
    scriptPath: params.scriptOf?.(instance.task_id),
  };
}

function durationBetween(start: string | null, end: string | null): number | undefined {
  if (!start || !end) return undefined;
  return new Date(end).getTime() - new Date(start).getTime();
}
