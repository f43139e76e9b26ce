/**
 * Polls a DAG run until it is terminal (success or failed), reporting each task state change,
 * with exponential backoff (reset whenever something changed) and an overall timeout.
 */
import type { AirflowClient } from "./airflow-client.js";
import { AirflowConnectionError, AirflowHttpError, DagRunTimeoutError } from "./airflow-errors.js";
import {
  TERMINAL_DAG_RUN_STATES,
  TERMINAL_TASK_STATES,
  type DagRun,
  type DagRunState,
  type TaskInstance,
  type TaskInstanceState,
} from "./airflow-types.js";
import { Backoff, systemClock, type BackoffOptions, type Clock } from "./poll-backoff.js";

/**
 * Called once per observed state change of a task instance. `previousState` is null the first
 * time a task is seen with a state (a task first seen without state is not reported).
 */
export type TaskChangeListener = (
  taskInstance: TaskInstance,
  previousState: TaskInstanceState | null,
) => void | Promise<void>;

export type DagRunChangeListener = (dagRun: DagRun, previousState: DagRunState | null) => void | Promise<void>;

export interface WaitForDagRunOptions {
  client: Pick<AirflowClient, "getDagRun" | "listTaskInstances">;
  dagId: string;
  runId: string;
  /** Give up after this many milliseconds with DagRunTimeoutError. */
  timeoutMs: number;
  onTaskChange?: TaskChangeListener;
  onRunStateChange?: DagRunChangeListener;
  /** Default: 500 ms first, ×1.5, at most 10 s. */
  backoff?: BackoffOptions;
  /**
   * Consecutive failed polls (api-server unreachable or answering 5xx) tolerated before the
   * error is thrown (default 5). Other errors (404, auth) are thrown at once.
   */
  maxConsecutiveErrors?: number;
  /** Shown in the timeout error so the user can look at the run. */
  runUrl?: string;
  signal?: AbortSignal;
  clock?: Clock;
}

export interface DagRunResult {
  dagRun: DagRun;
  taskInstances: TaskInstance[];
  elapsedMs: number;
}

const DEFAULT_BACKOFF: Required<BackoffOptions> = { initialDelayMs: 500, maxDelayMs: 10_000, factor: 1.5 };

export async function waitForDagRun(options: WaitForDagRunOptions): Promise<DagRunResult> {
  const { client, dagId, runId, timeoutMs, signal } = options;
  const clock = options.clock ?? systemClock;
  const maxErrors = options.maxConsecutiveErrors ?? 5;
  const backoff = new Backoff(options.backoff, DEFAULT_BACKOFF);
  const startedAt = clock.now();
  const deadline = startedAt + timeoutMs;

  const taskStates = new Map<string, TaskInstanceState | null>();
  let runState: DagRunState | null = null;
  let lastRun: DagRun | null = null;
  let lastTasks: TaskInstance[] = [];
  let consecutiveErrors = 0;

  for (;;) {
    signal?.throwIfAborted();
    let changed = false;
    try {
      const dagRun = await client.getDagRun(dagId, runId);
      const taskInstances = await client.listTaskInstances(dagId, runId);
      consecutiveErrors = 0;
      lastRun = dagRun;
      lastTasks = taskInstances;

      for (const ti of taskInstances) {
        const key = `${ti.task_id}\u0000${ti.map_index}`;
        const previous = taskStates.get(key) ?? null;
        if (ti.state !== previous) {
          taskStates.set(key, ti.state);
          changed = true;
          await options.onTaskChange?.(ti, previous);
        }
      }
      if (dagRun.state !== runState) {
        const previous = runState;
        runState = dagRun.state;
        changed = true;
        await options.onRunStateChange?.(dagRun, previous);
      }
      if (TERMINAL_DAG_RUN_STATES.includes(dagRun.state)) {
        return { dagRun, taskInstances, elapsedMs: clock.now() - startedAt };
      }
    } catch (err) {
      if (!isTransient(err) || ++consecutiveErrors >= maxErrors) throw err;
    }

    const now = clock.now();
    if (now >= deadline) {
      throw new DagRunTimeoutError(
        dagId,
        runId,
        timeoutMs,
        lastRun?.state ?? null,
        lastTasks
          .filter((t) => t.state === null || !TERMINAL_TASK_STATES.includes(t.state))
          .map((t) => ({ task_id: t.task_id, map_index: t.map_index, state: t.state })),
        options.runUrl,
      );
    }
    if (changed) backoff.reset();
    await clock.sleep(Math.min(backoff.next(), deadline - now), signal);
  }
}

function isTransient(err: unknown): boolean {
  if (err instanceof AirflowConnectionError) return true;
  return err instanceof AirflowHttpError && err.status >= 500;
}
