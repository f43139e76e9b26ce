import type { ShadowReport } from "../core/shadow-report.js";
import { loadTemplate } from "./load-templates.js";
import { buildReportView } from "./report-view.js";

export interface TerminalReportOptions {
  /** ANSI colors (green for what passed, red for what failed). Off by default. */
  color?: boolean;
  /** Log lines shown per task that did not succeed. */
  maxLogLines?: number;
}

const DEFAULT_MAX_LOG_LINES = 40;

/**
 * A ShadowReport as plain text for a terminal: header, migrations, an aligned task table, the
 * log tail of every task that did not succeed, and phase timings.
 */
export function renderTerminalReport(report: ShadowReport, options: TerminalReportOptions = {}): string {
  const view = buildReportView({ report, maxLogLines: options.maxLogLines ?? DEFAULT_MAX_LOG_LINES });
  return loadTemplate("report-terminal")({ ...view, color: options.color === true });
}
