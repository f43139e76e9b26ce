import { runShadowTest } from "../../shadow-test/run-shadow-test.js";
import { createDriver, type DriverOptions } from "../create-driver.js";
import { runInterruptible } from "../interrupt.js";
import { printReport } from "../print-report.js";
import { stderrProgress } from "../stderr-progress.js";
import { workloadIn } from "../workload-in.js";

export interface TestCommandOptions extends DriverOptions {
  env: string;
  dag: string;
  project: string;
  keep: boolean;
  ttl?: number;
  timeout?: number;
  json?: boolean;
  markdown?: string;
}

export async function runTestCommand(options: TestCommandOptions): Promise<number> {
  const driver = createDriver(options);
  const workload = workloadIn(options.project);
  return runInterruptible(async (signal) => {
    const report = await runShadowTest({
      driver,
      environment: options.env,
      workload,
      dagId: options.dag,
      keep: options.keep,
      ttlMs: options.ttl,
      dagTimeoutMs: options.timeout,
      // On stderr even with --json: a CI step that prints nothing for minutes looks hung.
      progress: stderrProgress(),
      signal,
    });
    return printReport(report, options);
  });
}
