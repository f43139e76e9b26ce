import type { MigrationResult } from "../core/migration-result.js";
import type { DagRunResult, ShadowReport } from "../core/shadow-report.js";
import type { ShadowDriver, StepParams, Workload } from "../drivers/shadow-driver.js";
import { MigrationFailedError } from "../migrations/migration-errors.js";

export type Timings = ShadowReport["timings"];

/** Runs `work` and records how long it took under `phase`, failed or not (reports show both). */
export function timerInto(timings: Timings) {
  return async <T>(phase: string, work: () => Promise<T>): Promise<T> => {
    const started = performance.now();
    try {
      return await work();
    } finally {
      timings.push({ phase, durationMs: Math.round(performance.now() - started) });
    }
  };
}

export interface MigrateOutcome {
  migrations: MigrationResult[];
  /** Why the migrations failed, when one did. */
  failure?: string;
}

/**
 * Applies pending migrations. A failing migration is a result of the test (the report shows it
 * by file), not an error; anything else that stops the migrations is thrown.
 */
export async function migrateOutcome(driver: ShadowDriver, params: StepParams & { workload: Workload }): Promise<MigrateOutcome> {
  try {
    return { migrations: await driver.migrate(params) };
  } catch (error) {
    if (!(error instanceof MigrationFailedError)) throw error;
    return { migrations: (error as MigrationFailedError & { results?: MigrationResult[] }).results ?? [], failure: error.message };
  }
}

/** One sentence on why a DAG run failed, or undefined when it succeeded. */
export function dagRunFailure(dagRun: DagRunResult): string | undefined {
  if (dagRun.state === "success") return undefined;
  const failed = dagRun.tasks.filter((task) => task.state === "failed").map((task) => task.taskId);
  return `DAG ${dagRun.dagId} ${dagRun.state}${failed.length ? `: ${failed.join(", ")} failed` : ""}`;
}
