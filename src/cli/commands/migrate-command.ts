import { runMigrateStep } from "../../shadow-test/run-separate-steps.js";
import { createDriver, type DriverOptions } from "../create-driver.js";
import { environmentLeftAsItWas, runInterruptible } from "../interrupt.js";
import { printReport } from "../print-report.js";
import { stderrProgress } from "../stderr-progress.js";
import { workloadIn } from "../workload-in.js";

export interface MigrateCommandOptions extends DriverOptions {
  env: string;
  project: string;
  /** Commander's --no-deploy. */
  deploy: boolean;
  json?: boolean;
  markdown?: string;
}

export async function runMigrateCommand(options: MigrateCommandOptions): Promise<number> {
  const driver = createDriver(options);
  const workload = workloadIn(options.project);
  return runInterruptible(async (signal) => {
    const report = await runMigrateStep({ driver, environment: options.env, workload, deploy: options.deploy, progress: stderrProgress(), signal });
    return printReport(report, options);
  }, environmentLeftAsItWas(options.env));
}
