import { writeFile } from "node:fs/promises";
import type { ShadowReport } from "../core/shadow-report.js";
import { renderMarkdownReportSafely } from "../report/render-markdown-report.js";
import { renderTerminalReport } from "../report/render-terminal-report.js";
import { EXIT } from "./cli-errors.js";
import { printOutput } from "./print-output.js";

/** How `test`, `migrate` and `run-dag` end: the report on stdout (and as markdown), and exit 0 or 1 by its outcome. */
export async function printReport(report: ShadowReport, options: { json?: boolean; markdown?: string }): Promise<number> {
  if (options.markdown) await writeFile(options.markdown, renderMarkdownReportSafely(report));
  printOutput({ json: Boolean(options.json), data: report, text: () => renderTerminalReport(report, { color: process.stdout.isTTY }) });
  return report.outcome === "passed" ? EXIT.ok : EXIT.testFailed;
}
