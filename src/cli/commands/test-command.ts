import { writeFile } from "node:fs/promises";
import { renderMarkdownReportSafely } from "../../report/render-markdown-report.js";
import { silentProgress } from "../../drivers/progress.js";
import { renderTerminalReport } from "../../report/render-terminal-report.js";
import { runShadowTest } from "../../shadow-test/run-shadow-test.js";
import { EXIT } from "../cli-errors.js";
import { createDriver, type DriverOptions } from "../create-driver.js";
import { runInterruptible } from "../interrupt.js";
import { printOutput } from "../print-output.js";
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
      progress: options.json ? silentProgress : stderrProgress(),
      signal,
    });
    if (options.markdown) await writeFile(options.markdown, renderMarkdownReportSafely(report));
    printOutput({ json: Boolean(options.json), data: report, text: () => renderTerminalReport(report, { color: process.stdout.isTTY }) });
    return report.outcome === "passed" ? EXIT.ok : EXIT.testFailed;
  });
}
