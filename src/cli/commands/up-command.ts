import { silentProgress } from "../../drivers/progress.js";
import { EXIT } from "../cli-errors.js";
import { createDriver } from "../create-driver.js";
import { runInterruptible } from "../interrupt.js";
import { printOutput } from "../print-output.js";
import { stderrProgress } from "../stderr-progress.js";
import { workloadIn } from "../workload-in.js";

export interface UpCommandOptions {
  driver: string;
  env: string;
  project: string;
  ttl?: number;
  airflowPort?: number;
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
      progress: options.json ? silentProgress : stderrProgress(),
      signal,
    });
    printOutput({
      json: Boolean(options.json),
      data: { name: record.name, state: record.state, airflowUrl: record.airflowUrl, expiresAt: record.expiresAt },
      text: () =>
        `environment ${record.name} is up\n  Airflow: ${record.airflowUrl}\n` +
        `  run the DAG with: shadowops test --env ${record.name} --keep\n  destroy with:     shadowops down --env ${record.name}`,
    });
    return EXIT.ok;
  });
}
