import { IllegalTransitionError } from "../core/lifecycle.js";
import type { EnvironmentState } from "../core/lifecycle.js";
import type { ShadowReport } from "../core/shadow-report.js";
import { UnknownEnvironmentError } from "../drivers/driver-errors.js";
import type { Progress } from "../drivers/progress.js";
import type { EnvironmentRecord, ShadowDriver, Workload } from "../drivers/shadow-driver.js";
import { EnvironmentBusyError, REUSABLE_STATES } from "./run-shadow-test.js";
import { dagRunFailure, migrateOutcome, timerInto } from "./shadow-steps.js";

/**
 * `shadowops migrate` and `shadowops run-dag`: the middle of `shadowops test` as two commands, so
 * a CI job can show them as separate steps. Neither creates nor destroys anything; each works on
 * an environment `shadowops up` (or a kept test) left, and returns a report of what it did.
 */

/** The DAG run was asked for in a state the driver cannot run it from (the migrations come first). */
export class StepOrderError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "StepOrderError";
  }
}

interface CommonParams {
  driver: ShadowDriver;
  environment: string;
  progress: Progress;
  signal?: AbortSignal;
}

async function requireIdle(driver: ShadowDriver, environment: string, idle: readonly EnvironmentState[]): Promise<EnvironmentRecord> {
  const record = await driver.get(environment);
  if (!record) throw new UnknownEnvironmentError(environment, (await driver.list()).map((each) => each.name));
  if (!idle.includes(record.state)) throw new EnvironmentBusyError(environment, record.state);
  return record;
}

export interface MigrateStepParams extends CommonParams {
  workload: Workload;
  /** Deploy the workload's code first; false only right after `up` deployed this same code. */
  deploy: boolean;
}

/** Deploys the workload (unless told it is there already) and applies its pending migrations. */
export async function runMigrateStep(params: MigrateStepParams): Promise<ShadowReport> {
  const { driver, environment, workload, progress, signal } = params;
  const record = await requireIdle(driver, environment, REUSABLE_STATES);
  const timings: ShadowReport["timings"] = [];
  const timed = timerInto(timings);
  if (params.deploy) await timed("configure", () => driver.configure({ environment, workload, progress, signal }));
  let outcome;
  try {
    outcome = await timed("migrate", () => migrateOutcome(driver, { environment, workload, progress, signal }));
  } catch (error) {
    if (!(error instanceof IllegalTransitionError)) throw error;
    // Only the local driver keeps its lifecycle between commands, and it refuses to migrate a
    // tested environment whose code was not redeployed: old code must not meet new migrations.
    throw new StepOrderError(
      `environment ${environment} is ${record.state}: deploy the code again before migrating (drop --no-deploy)`,
    );
  }
  return {
    environment,
    driver: driver.name,
    airflowUrl: record.airflowUrl,
    outcome: outcome.failure ? "failed" : "passed",
    failure: outcome.failure,
    migrations: outcome.migrations,
    timings,
  };
}

export interface RunDagStepParams extends CommonParams {
  dagId: string;
  conf?: Record<string, unknown>;
  timeoutMs?: number;
  /** The report of the migrations this run follows; it becomes part of this run's report. */
  migrated?: ShadowReport;
}

/** States a DAG may be run from: after `migrate` (local), or any idle one (aws keeps no lifecycle). */
const RUNNABLE_STATES: readonly EnvironmentState[] = ["migrating", ...REUSABLE_STATES];

/** Runs the DAG in an environment whose migrations are in, and reports it with those migrations. */
export async function runDagStep(params: RunDagStepParams): Promise<ShadowReport> {
  const { driver, environment, progress, signal, migrated } = params;
  if (migrated?.outcome === "failed") {
    throw new StepOrderError(`the migrations failed (${migrated.failure ?? "see their report"}): the DAG is not run on a half-migrated warehouse`);
  }
  if (migrated && migrated.environment !== environment) {
    throw new StepOrderError(`the migrations report is about environment ${migrated.environment}, not ${environment}`);
  }
  const record = await requireIdle(driver, environment, RUNNABLE_STATES);
  const timings: ShadowReport["timings"] = [...(migrated?.timings ?? [])];
  const timed = timerInto(timings);
  let dagRun;
  try {
    dagRun = await timed("run", () =>
      driver.runDag({ environment, dagId: params.dagId, conf: params.conf, timeoutMs: params.timeoutMs, progress, signal }),
    );
  } catch (error) {
    if (!(error instanceof IllegalTransitionError)) throw error;
    throw new StepOrderError(`environment ${environment} is ${record.state}: apply its migrations first with \`shadowops migrate --env ${environment}\``);
  }
  const failure = dagRunFailure(dagRun);
  return {
    environment,
    driver: driver.name,
    airflowUrl: record.airflowUrl ?? migrated?.airflowUrl,
    ...(migrated?.repository ? { repository: migrated.repository } : {}),
    ...(migrated?.commit ? { commit: migrated.commit } : {}),
    outcome: failure ? "failed" : "passed",
    failure,
    migrations: migrated?.migrations ?? [],
    dagRun,
    timings,
  };
}
