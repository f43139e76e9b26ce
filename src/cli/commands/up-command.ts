import { EXIT } from "../cli-errors.js";
import { createDriver, type DriverOptions } from "../create-driver.js";
import { runInterruptible } from "../interrupt.js";
import { printOutput } from "../print-output.js";
import { stderrProgress } from "../stderr-progress.js";
import { workloadIn } from "../workload-in.js";

export interface UpCommandOptions extends DriverOptions {
  env: string;
  project: string;
  ttl?: number;
  json?: boolean;
}

export async function runUpCommand(options: UpCommandOptions): Promise<number> {
  const driver = createDriver(options);
  const workload = workloadIn(options.project);
  return runInterruptible(async (signal) => {
    const record = await driver.up({
      environment: options.env,
      workload,
      ttlMs: options.ttl,
      progress: stderrProgress(),
      signal,
    });
    const cost = record.details.cost as { hourlyUsd: number; summary: string } | undefined;
    const driverFlag = record.driver === "local" ? "" : ` --driver ${record.driver}`;
    printOutput({
      json: Boolean(options.json),
      data: { name: record.name, state: record.state, airflowUrl: record.airflowUrl, expiresAt: record.expiresAt, ...(cost ? { cost } : {}) },
      text: () =>
        `environment ${record.name} is up\n  Airflow: ${record.airflowUrl}\n` +
        (record.expiresAt ? `  expires: ${record.expiresAt}\n` : "") +
        (cost ? `  cost:    ${cost.summary}\n` : "") +
        `  run the DAG with: shadowops test${driverFlag} --env ${record.name} --keep\n` +
        `  or step by step:  shadowops migrate${driverFlag} --env ${record.name} --no-deploy, then shadowops run-dag${driverFlag} --env ${record.name}\n` +
        `  destroy with:     shadowops down${driverFlag} --env ${record.name}`,
    });
    return EXIT.ok;
  });
}
