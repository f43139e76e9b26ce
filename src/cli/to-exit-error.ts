import { AirflowError, DagRunTimeoutError, UnknownDagError } from "../airflow/airflow-errors.js";
import { InvalidEnvironmentNameError } from "../core/environment-name.js";
import { AwsFailureError, AwsInputError } from "../drivers/aws/aws-errors.js";
import {
  AirflowStartError,
  DamagedEnvironmentRecordError,
  DatabaseExistsError,
  EnvironmentExistsError,
  PortInUseError,
  ProgramNotRunnableError,
  TemplateInUseError,
  UnknownEnvironmentError,
} from "../drivers/driver-errors.js";
import { ChangedMigrationError, MisnamedMigrationError, UnreadableMigrationsFolderError } from "../migrations/migration-errors.js";
import { EnvironmentBusyError } from "../shadow-test/run-shadow-test.js";
import { StepOrderError } from "../shadow-test/run-separate-steps.js";
import { InvalidPgPortError } from "../warehouse/postgres-settings.js";
import { EXIT, EnvironmentError, ExitError, UsageError } from "./cli-errors.js";

/** One place that decides what each kind of failure means for the exit code. */
export function toExitError(error: unknown): ExitError {
  if (error instanceof ExitError) return error;
  if (
    error instanceof UnknownDagError ||
    error instanceof UnknownEnvironmentError ||
    error instanceof EnvironmentExistsError ||
    error instanceof DatabaseExistsError ||
    error instanceof EnvironmentBusyError ||
    error instanceof PortInUseError ||
    error instanceof InvalidEnvironmentNameError ||
    error instanceof ChangedMigrationError ||
    error instanceof MisnamedMigrationError ||
    error instanceof UnreadableMigrationsFolderError ||
    error instanceof InvalidPgPortError ||
    // run-dag after failed migrations, migrate --no-deploy on a tested environment.
    error instanceof StepOrderError ||
    // A bad CIDR, expiry, snapshot, instance type or pull request: refused before anything was created.
    error instanceof AwsInputError
  ) {
    return new UsageError(error.message);
  }
  if (
    error instanceof AirflowStartError ||
    error instanceof TemplateInUseError ||
    // Our own state, not the user's input: the environment cannot be reached through it.
    error instanceof DamagedEnvironmentRecordError ||
    // Airflow's virtualenv missing or broken: setup installs it.
    error instanceof ProgramNotRunnableError ||
    error instanceof DagRunTimeoutError ||
    error instanceof AirflowError ||
    // Credentials, permissions, throttling, a failed or stuck stack, leftovers.
    error instanceof AwsFailureError
  ) {
    return new EnvironmentError(error.message);
  }
  if (error instanceof Error && /cannot reach PostgreSQL|production stand-in database/.test(error.message)) {
    return new EnvironmentError(error.message);
  }
  return new ExitError(`internal error: ${error instanceof Error ? error.message : String(error)}`, EXIT.internal);
}
