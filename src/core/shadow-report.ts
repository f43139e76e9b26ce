import type { MigrationResult } from "./migration-result.js";

/** Airflow's task instance states that end a task (others mean it is still to run or running). */
export type TaskState =
  | "success"
  | "failed"
  | "upstream_failed"
  | "skipped"
  | "removed"
  | "running"
  | "queued"
  | "scheduled"
  | "up_for_retry"
  | "up_for_reschedule"
  | "deferred"
  | "restarting"
  | "none";

export interface TaskResult {
  taskId: string;
  state: TaskState;
  /** The try the state belongs to (1 for the first attempt). */
  tryNumber: number;
  startedAt?: string;
  endedAt?: string;
  durationMs?: number;
  /** Last lines of the task's log, for tasks that did not succeed. */
  logTail?: string;
  /** Script the task ran, relative to the repo (e.g. r/validate_outputs.R), for annotations. */
  scriptPath?: string;
}

export interface DagRunResult {
  dagId: string;
  runId: string;
  state: "success" | "failed" | "running" | "queued";
  startedAt?: string;
  endedAt?: string;
  durationMs?: number;
  tasks: TaskResult[];
}

/** Everything one shadow test produced: what reports, the CLI's --json and PR checks show. */
export interface ShadowReport {
  environment: string;
  driver: string;
  /** Airflow's UI while the shadow ran. */
  airflowUrl?: string;
  repository?: string;
  commit?: string;
  outcome: "passed" | "failed";
  /** One sentence on why the outcome is failed, when it is. */
  failure?: string;
  migrations: MigrationResult[];
  dagRun?: DagRunResult;
  /** Wall-clock time of each phase, for the report's footer and benchmarks. */
  timings: { phase: string; durationMs: number }[];
}
