/** Airflow 3 REST API v2 client and waiters (see airflow-client.ts). */
export { AirflowClient } from "./airflow-client.js";
export * from "./airflow-errors.js";
export type * from "./airflow-types.js";
export { TERMINAL_DAG_RUN_STATES, TERMINAL_TASK_STATES } from "./airflow-types.js";
export { taskLogTail, taskLogToLines, tailOfLines } from "./task-log-to-text.js";
export { waitForDagRun } from "./wait-for-dag-run.js";
export type { DagRunChangeListener, DagRunResult, TaskChangeListener, WaitForDagRunOptions } from "./wait-for-dag-run.js";
export { unhealthy, waitForHealthy } from "./wait-for-healthy.js";
export type { Liveness, WaitForHealthyOptions } from "./wait-for-healthy.js";
export type { BackoffOptions, Clock } from "./poll-backoff.js";
