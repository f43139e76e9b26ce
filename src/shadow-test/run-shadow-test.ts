import type { EnvironmentState } from "../core/lifecycle.js";
import type { MigrationResult } from "../core/migration-result.js";
import type { DagRunResult, ShadowReport } from "../core/shadow-report.js";
import type { Progress } from "../drivers/progress.js";
import type { ShadowDriver, Workload } from "../drivers/shadow-driver.js";
import { dagRunFailure, migrateOutcome, timerInto } from "./shadow-steps.js";

export interface RunShadowTestParams {
  driver: ShadowDriver;
  environment: string;
  workload: Workload;
  dagId: string;
  /** Leave the environment up afterwards, for inspection or a warm re-test. */
  keep: boolean;
  ttlMs?: number;
  dagTimeoutMs?: number;
  conf?: Record<string, unknown>;
  progress: Progress;
  signal?: AbortSignal;
}

export class EnvironmentBusyError extends Error {
  constructor(environment: string, state: string) {
    super(
      `environment ${environment} is ${state}: another command is using it. ` +
        `Wait for it, or run \`shadowops down --env ${environment}\` to destroy it.`,
    );
    this.name = "EnvironmentBusyError";
  }
}

/**
 * States of an idle environment that a test may reuse: kept after a test (passed, failed), or
 * created by `shadowops up`, which leaves it configuring (deployed, migrations not yet applied).
 */
export const REUSABLE_STATES: readonly EnvironmentState[] = ["passed", "failed", "configuring"];

/**
 * `shadowops test`: up → configure → migrate → run the DAG → report → down.
 * An environment kept from an earlier `--keep` run is reused (warm re-test): only the
 * code is redeployed and only new migrations are applied. Teardown runs after any
 * failure or interruption unless the caller asked to keep a test that ran to the end.
 */
export async function runShadowTest(params: RunShadowTestParams): Promise<ShadowReport> {
  const { driver, environment, progress, signal } = params;
  const timings: ShadowReport["timings"] = [];
  const timed = timerInto(timings);

  const existing = await driver.get(environment);
  const warm = existing !== undefined && REUSABLE_STATES.includes(existing.state);
  if (existing && !warm) throw new EnvironmentBusyError(environment, existing.state);

  let migrations: MigrationResult[] = [];
  let dagRun: DagRunResult | undefined;
  let failure: string | undefined;
  let airflowUrl = existing?.airflowUrl;
  const tearDownAfterError = async (cause: unknown) => {
    try {
      if (await driver.get(environment)) {
        // Teardown must run even when interrupted, so it gets no abort signal.
        await timed("down", () => driver.down({ environment, progress }));
      }
    } catch (downError) {
      progress({
        phase: "down",
        message: `teardown after "${(cause as Error).message ?? cause}" failed too: ${(downError as Error).message}`,
      });
    }
  };
  try {
    if (!warm) {
      const record = await timed("up", () =>
        driver.up({ environment, workload: params.workload, progress, signal, ttlMs: params.ttlMs }),
      );
      airflowUrl = record.airflowUrl;
    } else {
      progress({ phase: "up", message: `reusing environment ${environment} (warm re-test)` });
      await timed("configure", () => driver.configure({ environment, workload: params.workload, progress, signal }));
    }
    ({ migrations, failure } = await timed("migrate", () =>
      migrateOutcome(driver, { environment, workload: params.workload, progress, signal }),
    ));
    if (!failure) {
      dagRun = await timed("run", () =>
        driver.runDag({ environment, dagId: params.dagId, conf: params.conf, timeoutMs: params.dagTimeoutMs, progress, signal }),
      );
      failure = dagRunFailure(dagRun);
    }
  } catch (error) {
    await tearDownAfterError(error);
    throw error;
  }
  if (!params.keep) await timed("down", () => driver.down({ environment, progress }));

  return {
    environment,
    driver: driver.name,
    airflowUrl,
    outcome: failure ? "failed" : "passed",
    failure,
    migrations,
    dagRun,
    timings,
  };
}
