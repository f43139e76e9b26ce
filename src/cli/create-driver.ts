import { homedir } from "node:os";
import { join } from "node:path";
import { LocalDriver } from "../drivers/local/local-driver.js";
import type { ShadowDriver } from "../drivers/shadow-driver.js";
import { PACKAGE_ROOT } from "../package-root.js";
import { postgresSettingsFromEnv, productionDatabaseName } from "../warehouse/postgres-settings.js";
import { parseDuration } from "../core/parse-duration.js";
import { UsageError } from "./cli-errors.js";

export interface DriverOptions {
  driver: string;
  airflowPort?: number;
}

/** SHADOWOPS_HOME holds local environments, their logs and caches. */
export function shadowopsHome(env: NodeJS.ProcessEnv = process.env): string {
  return env.SHADOWOPS_HOME ?? join(homedir(), ".shadowops");
}

export function createDriver(options: DriverOptions, env: NodeJS.ProcessEnv = process.env): ShadowDriver {
  switch (options.driver) {
    case "local":
      return new LocalDriver({
        home: shadowopsHome(env),
        server: postgresSettingsFromEnv(env),
        productionDatabase: productionDatabaseName(env),
        venv: env.SHADOWOPS_AIRFLOW_VENV ?? join(PACKAGE_ROOT, ".venv"),
        airflowPort: options.airflowPort,
        taskRetries: env.SHADOWOPS_TASK_RETRIES === undefined ? undefined : Number(env.SHADOWOPS_TASK_RETRIES),
        airflowStartTimeoutMs: env.SHADOWOPS_AIRFLOW_START_TIMEOUT ? parseDuration(env.SHADOWOPS_AIRFLOW_START_TIMEOUT) : undefined,
      });
    default:
      throw new UsageError(`unknown driver "${options.driver}": use local`);
  }
}
