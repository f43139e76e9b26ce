import type { EnvironmentState } from "../core/lifecycle.js";
import type { MigrationResult } from "../core/migration-result.js";
import type { DagRunResult } from "../core/shadow-report.js";
import type { Progress } from "./progress.js";

/** What a driver knows about one environment; stored between CLI invocations. */
export interface EnvironmentRecord {
  name: string;
  driver: string;
  state: EnvironmentState;
  createdAt: string;
  /** When the environment should be destroyed by `reap` if nobody did. */
  expiresAt?: string;
  airflowUrl?: string;
  /** Driver-specific details (processes, database, stack id), for status and teardown. */
  details: Record<string, unknown>;
}

/** The code a shadow runs: the working tree (locally) or the PR's checkout (in CI). */
export interface Workload {
  dagsDir: string;
  rDir: string;
  migrationsDir: string;
}

export interface StepParams {
  environment: string;
  progress: Progress;
  signal?: AbortSignal;
}

/**
 * Where a shadow lives. `local` runs it on this machine; `aws` provisions a CloudFormation
 * stack. The CLI drives both through these steps in this order.
 */
export interface ShadowDriver {
  readonly name: string;
  /**
   * Create the environment: warehouse copy of production and a running Airflow, with the
   * workload deployed when given (so Airflow parses the DAGs while it starts).
   */
  up(params: StepParams & { ttlMs?: number; workload?: Workload }): Promise<EnvironmentRecord>;
  /** Redeploy the workload's DAGs, R scripts and migrations into a running environment. */
  configure(params: StepParams & { workload: Workload }): Promise<void>;
  /** Apply pending migrations; throws MigrationFailedError with per-file results. */
  migrate(params: StepParams & { workload: Workload }): Promise<MigrationResult[]>;
  /** Trigger the DAG, follow it to the end, and collect task results and log tails. */
  runDag(params: StepParams & { dagId: string; conf?: Record<string, unknown>; timeoutMs?: number }): Promise<DagRunResult>;
  /** Destroy everything the environment holds. Safe to call on a half-built environment. */
  down(params: StepParams): Promise<void>;
  get(environment: string): Promise<EnvironmentRecord | undefined>;
  list(): Promise<EnvironmentRecord[]>;
}
