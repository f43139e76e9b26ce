import type { MigrationResult } from "../core/migration-result.js";
import type { ShadowReport, TaskResult, TaskState } from "../core/shadow-report.js";
import { cleanLine } from "./clean-text.js";
import { cutMarkdown } from "./cut-markdown.js";
import { codeFenceFor, escapeMarkdown, markdownLinkUrl } from "./escape-markdown.js";
import { fitMarkdown } from "./fit-markdown.js";
import { loadTemplate } from "./load-templates.js";
import { buildReportView, epochMillis, type ReportView } from "./report-view.js";

/** GitHub's limit for a check run's output summary and text. */
export const GITHUB_CHECK_OUTPUT_LIMIT = 65_535;
const DEFAULT_MAX_LOG_LINES = 40;
/** More bars than this make an unreadable chart and approach mermaid's own size limit. */
const MAX_GANTT_TASKS = 100;
/** Longest error message quoted when a report cannot be rendered. */
const MAX_REASON_LENGTH = 500;

export interface MarkdownReportOptions {
  /** The result is never longer than this; 65,535 by default (check run output). */
  maxLength?: number;
  /** Log lines per task that did not succeed, before any shortening to fit; 40 by default. */
  maxLogLines?: number;
}

const TASK_EMOJI: Record<TaskState, string> = {
  success: "✅",
  failed: "❌",
  upstream_failed: "⛔",
  skipped: "⏭️",
  removed: "🗑️",
  running: "🔄",
  queued: "⏳",
  scheduled: "⏳",
  up_for_retry: "🔁",
  up_for_reschedule: "🔁",
  deferred: "⏸️",
  restarting: "🔄",
  none: "⚪",
};

const MIGRATION_EMOJI: Record<MigrationResult["status"], string> = {
  applied: "✅",
  skipped: "⏭️",
  failed: "❌",
  not_run: "⚪",
};

const DAG_RUN_EMOJI: Record<NonNullable<ShadowReport["dagRun"]>["state"], string> = {
  success: "✅",
  failed: "❌",
  running: "🔄",
  queued: "⏳",
};

/**
 * A ShadowReport as GitHub-flavoured markdown, the body of the PR check: outcome, Airflow
 * link, migrations, tasks, the log tails of tasks that did not succeed, and a mermaid gantt of
 * task durations. Never longer than maxLength: log tails are shortened first, then the
 * document is cut with a visible note. Throws when the report cannot be rendered; callers that
 * must not fail use renderMarkdownReportSafely.
 */
export function renderMarkdownReport(report: ShadowReport, options: MarkdownReportOptions = {}): string {
  const maxLength = options.maxLength ?? GITHUB_CHECK_OUTPUT_LIMIT;
  const template = loadTemplate("report-markdown");
  const cutNote = loadTemplate("report-markdown-cut-note");
  const airflowUrl = report.airflowUrl === undefined ? null : markdownLinkUrl(report.airflowUrl);
  return fitMarkdown({
    render: (maxLogLines) => template(markdownView(report, maxLogLines)),
    maxLength,
    maxLogLines: options.maxLogLines ?? DEFAULT_MAX_LOG_LINES,
    cutNote: (omittedChars) => cutNote({ maxLength, omittedChars, airflowUrl }).trim(),
  }).markdown;
}

export interface SafeMarkdownReportOptions extends MarkdownReportOptions {
  /** Told why the report could not be rendered, e.g. to log it. */
  onError?: (error: unknown) => void;
}

/**
 * renderMarkdownReport that never throws: when rendering fails, a short markdown that says the
 * report could not be rendered and why, so a check run or comment still gets a body.
 */
export function renderMarkdownReportSafely(report: ShadowReport, options: SafeMarkdownReportOptions = {}): string {
  try {
    return renderMarkdownReport(report, options);
  } catch (error) {
    options.onError?.(error);
    const maxLength = options.maxLength ?? GITHUB_CHECK_OUTPUT_LIMIT;
    return renderFailure(report, error, maxLength >= 0 ? maxLength : GITHUB_CHECK_OUTPUT_LIMIT);
  }
}

function renderFailure(report: unknown, error: unknown, maxLength: number): string {
  const fields = (typeof report === "object" && report !== null ? report : {}) as Record<string, unknown>;
  const text = (value: unknown) => (typeof value === "string" && cleanLine(value) !== "" ? cleanLine(value) : null);
  let reason = cleanLine(error instanceof Error ? error.message : String(error)) || "unknown error";
  if (reason.length > MAX_REASON_LENGTH) reason = `${reason.slice(0, MAX_REASON_LENGTH - 1)}…`;
  const airflowUrl = text(fields.airflowUrl);
  let markdown: string;
  try {
    markdown = loadTemplate("report-markdown-render-failed")({
      environment: text(fields.environment),
      outcome: fields.outcome === "passed" || fields.outcome === "failed" ? fields.outcome : null,
      airflowUrl: airflowUrl === null ? null : markdownLinkUrl(airflowUrl),
      reason,
    });
  } catch {
    // The templates themselves are broken or missing: the one text not taken from a template.
    markdown = `### ⚠️ Shadow test report could not be rendered\n\n${escapeMarkdown(reason)}\n`;
  }
  return cutMarkdown({ markdown, maxLength, cutNote: () => "" }).markdown;
}

interface GanttTaskView {
  taskId: string;
  tag: "crit" | "done" | "active" | null;
  id: string;
  start: number;
  end: number;
}

interface GanttView {
  dagId: string;
  tasks: GanttTaskView[];
  shown: number;
  total: number;
  /** Not every task with timings is in the chart. */
  partial: boolean;
}

function markdownView(report: ShadowReport, maxLogLines: number) {
  const view: ReportView = buildReportView({ report, maxLogLines });
  return {
    ...view,
    outcomeEmoji: view.passed ? "✅" : "❌",
    migrations: view.migrations.map((migration) => ({
      ...migration,
      emoji: MIGRATION_EMOJI[migration.status],
      errorFence: codeFenceFor(migration.error ?? ""),
    })),
    dagRun: view.dagRun && { ...view.dagRun, emoji: DAG_RUN_EMOJI[report.dagRun?.state ?? "failed"] },
    tasks: view.tasks.map((task) => ({ ...task, emoji: TASK_EMOJI[task.state] })),
    taskLogs: view.taskLogs.map((log) => ({ ...log, emoji: TASK_EMOJI[log.state], fence: codeFenceFor(log.text) })),
    gantt: ganttView(report),
  };
}

/**
 * The tasks with a start and an end, at most MAX_GANTT_TASKS of them: those that did not
 * succeed first, then the longest; drawn in start order.
 */
function ganttView(report: ShadowReport): GanttView | null {
  const dagRun = report.dagRun;
  if (!dagRun) return null;
  const timed = dagRun.tasks.flatMap((task, index) => {
    const span = taskSpan(task);
    return span ? [{ task, index, ...span }] : [];
  });
  if (timed.length === 0) return null;
  const chosen = [...timed]
    .sort((a, b) => Number(a.task.state === "success") - Number(b.task.state === "success") || b.end - b.start - (a.end - a.start))
    .slice(0, MAX_GANTT_TASKS)
    .sort((a, b) => a.start - b.start || a.index - b.index);
  return {
    dagId: dagRun.dagId,
    tasks: chosen.map(({ task, index, start, end }) => ({
      taskId: task.taskId,
      tag: ganttTag(task.state),
      id: `t${index + 1}`,
      start,
      end,
    })),
    shown: chosen.length,
    total: timed.length,
    partial: chosen.length < timed.length,
  };
}

function taskSpan(task: TaskResult): { start: number; end: number } | null {
  const start = epochMillis(task.startedAt);
  if (start === null) return null;
  const end = epochMillis(task.endedAt) ?? (task.durationMs === undefined ? null : start + task.durationMs);
  if (end === null || !Number.isFinite(end)) return null;
  return { start, end: Math.max(start, Math.round(end)) };
}

function ganttTag(state: TaskState): GanttTaskView["tag"] {
  if (state === "failed" || state === "upstream_failed") return "crit";
  if (state === "success") return "done";
  if (state === "running") return "active";
  return null;
}
