import { runDagStep } from "../../shadow-test/run-separate-steps.js";
import { createDriver, type DriverOptions } from "../create-driver.js";
import { environmentLeftAsItWas, runInterruptible } from "../interrupt.js";
import { printReport } from "../print-report.js";
import { readReportFile } from "../read-report-file.js";
import { stderrProgress } from "../stderr-progress.js";

export interface RunDagCommandOptions extends DriverOptions {
  env: string;
  dag: string;
  timeout?: number;
  /** A `shadowops migrate --json` report, folded into this one so one report covers the test. */
  migrations?: string;
  json?: boolean;
  markdown?: string;
}

export async function runRunDagCommand(options: RunDagCommandOptions): Promise<number> {
  const migrated = options.migrations ? await readReportFile(options.migrations) : undefined;
  const driver = createDriver(options);
  return runInterruptible(async (signal) => {
    const report = await runDagStep({
      driver,
      environment: options.env,
      dagId: options.dag,
      timeoutMs: options.timeout,
      migrated,
      progress: stderrProgress(),
      signal,
    });
    return printReport(report, options);
  }, environmentLeftAsItWas(options.env));
}
