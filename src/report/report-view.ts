import type { MigrationResult } from "../core/migration-result.js";
import type { ShadowReport, TaskResult, TaskState } from "../core/shadow-report.js";
import { cleanLine, cleanText } from "./clean-text.js";
import { markdownLinkUrl } from "./escape-markdown.js";
import { formatDuration } from "../core/format-duration.js";

/** Longest log line shown; longer ones (minified JSON, data dumps) are shortened. */
const MAX_LOG_LINE_LENGTH = 1_000;
const NOT_KNOWN = "-";

export interface MigrationView {
  name: string;
  status: MigrationResult["status"];
  failed: boolean;
  /** Formatted duration, or null for migrations that did not run. */
  duration: string | null;
  error: string | null;
}

export interface TaskRowView {
  taskId: string;
  state: TaskState;
  succeeded: boolean;
  /** failed or upstream_failed. */
  failed: boolean;
  tryNumber: number;
  /** Start time of day, UTC ("09:30:05"), or "-". */
  started: string;
  duration: string;
}

export interface TaskLogView {
  taskId: string;
  state: TaskState;
  failed: boolean;
  tryNumber: number;
  /** The last lines of the log, joined with "\n". */
  text: string;
  shownLines: number;
  totalLines: number;
  /** Fewer lines shown than the tail has. */
  shortened: boolean;
}

export interface DagRunView {
  dagId: string;
  runId: string;
  state: string;
  failed: boolean;
  /** "2025-01-14 09:30:00 UTC", or null when not known. */
  started: string | null;
  duration: string | null;
  taskCount: number;
}

/**
 * What both report templates show, derived from a ShadowReport: every field present (the
 * templates are strict), every text from outside cleaned of control characters, nothing
 * escaped yet (each output format escapes its own way).
 */
export interface ReportView {
  environment: string;
  driver: string;
  outcome: ShadowReport["outcome"];
  passed: boolean;
  /** http(s) only, credentials removed; null otherwise. */
  airflowUrl: string | null;
  repository: string | null;
  commit: string | null;
  failure: string | null;
  migrations: MigrationView[];
  dagRun: DagRunView | null;
  tasks: TaskRowView[];
  /** Tasks that did not succeed and have a log tail, with at most maxLogLines lines each. */
  taskLogs: TaskLogView[];
  /** Some tasks have log tails, but none are shown (maxLogLines is 0). */
  logTailsLeftOut: boolean;
  timings: { phase: string; durationMs: number }[];
  totalDurationMs: number | null;
}

export interface BuildReportViewParams {
  report: ShadowReport;
  /** Log lines shown per task that did not succeed. */
  maxLogLines: number;
}

export function buildReportView({ report, maxLogLines }: BuildReportViewParams): ReportView {
  const tasks = report.dagRun?.tasks ?? [];
  const withLogs = tasks.filter(hasLogTail);
  const timings = report.timings.map((timing) => ({ phase: cleanLine(timing.phase), durationMs: timing.durationMs }));
  return {
    environment: cleanLine(report.environment),
    driver: cleanLine(report.driver),
    outcome: report.outcome,
    passed: report.outcome === "passed",
    airflowUrl: report.airflowUrl === undefined ? null : markdownLinkUrl(report.airflowUrl),
    repository: optionalLine(report.repository),
    commit: report.commit === undefined ? null : cleanLine(report.commit).slice(0, 12),
    failure: optionalText(report.failure),
    migrations: report.migrations.map(migrationView),
    dagRun: report.dagRun
      ? {
          dagId: cleanLine(report.dagRun.dagId),
          runId: cleanLine(report.dagRun.runId),
          state: report.dagRun.state,
          failed: report.dagRun.state === "failed",
          started: dateTime(report.dagRun.startedAt),
          duration: report.dagRun.durationMs === undefined ? null : formatDuration(report.dagRun.durationMs),
          taskCount: tasks.length,
        }
      : null,
    tasks: tasks.map(taskRowView),
    taskLogs: maxLogLines > 0 ? withLogs.map((task) => taskLogView(task, maxLogLines)) : [],
    logTailsLeftOut: maxLogLines <= 0 && withLogs.length > 0,
    timings,
    totalDurationMs: timings.length === 0 ? null : timings.reduce((sum, timing) => sum + timing.durationMs, 0),
  };
}

/** A task that did not succeed and has something in its log tail. */
function hasLogTail(task: TaskResult): boolean {
  return task.state !== "success" && task.logTail !== undefined && task.logTail.trim() !== "";
}

function migrationView(migration: MigrationResult): MigrationView {
  const ran = migration.status === "applied" || migration.status === "failed";
  return {
    name: cleanLine(migration.name),
    status: migration.status,
    failed: migration.status === "failed",
    duration: ran ? formatDuration(migration.durationMs) : null,
    error: optionalText(migration.error),
  };
}

function taskRowView(task: TaskResult): TaskRowView {
  return {
    taskId: cleanLine(task.taskId),
    state: task.state,
    succeeded: task.state === "success",
    failed: task.state === "failed" || task.state === "upstream_failed",
    tryNumber: task.tryNumber,
    started: timeOfDay(task.startedAt) ?? NOT_KNOWN,
    duration: task.durationMs === undefined ? NOT_KNOWN : formatDuration(task.durationMs),
  };
}

function taskLogView(task: TaskResult, maxLogLines: number): TaskLogView {
  const { lines, totalLines } = lastLines(task.logTail ?? "", maxLogLines);
  return {
    taskId: cleanLine(task.taskId),
    state: task.state,
    failed: task.state === "failed" || task.state === "upstream_failed",
    tryNumber: task.tryNumber,
    text: lines.map(shortenLine).join("\n"),
    shownLines: lines.length,
    totalLines,
    shortened: lines.length < totalLines,
  };
}

/**
 * The last `count` lines of a log without trailing blank lines, and how many lines it has.
 * Only the tail is cleaned: logs can be megabytes, and a report renders several times while
 * it is fitted to GitHub's limit.
 */
function lastLines(log: string, count: number): { lines: string[]; totalLines: number } {
  const trimmed = log.trimEnd();
  if (trimmed === "") return { lines: [], totalLines: 0 };
  let totalLines = 1;
  for (let at = trimmed.indexOf("\n"); at !== -1; at = trimmed.indexOf("\n", at + 1)) totalLines += 1;
  let tailStart = 0;
  let searchEnd = trimmed.length;
  for (let found = 0; found < count; found += 1) {
    const newline = searchEnd === 0 ? -1 : trimmed.lastIndexOf("\n", searchEnd - 1);
    if (newline === -1) {
      tailStart = 0;
      break;
    }
    tailStart = newline + 1;
    searchEnd = newline;
  }
  // Cleaning turns lone carriage returns into line breaks and can empty a line of escape codes.
  const lines = cleanText(trimmed.slice(tailStart)).split("\n");
  while (lines.length > 0 && (lines.at(-1) ?? "").trim() === "") lines.pop();
  const shown = count > 0 ? lines.slice(-count) : [];
  return { lines: shown, totalLines: Math.max(totalLines, shown.length) };
}

function shortenLine(line: string): string {
  if (line.length <= MAX_LOG_LINE_LENGTH) return line;
  // Do not split a surrogate pair.
  const end = /[\uD800-\uDBFF]/.test(line.charAt(MAX_LOG_LINE_LENGTH - 1)) ? MAX_LOG_LINE_LENGTH - 1 : MAX_LOG_LINE_LENGTH;
  return `${line.slice(0, end)}…`;
}

function optionalLine(value: string | undefined): string | null {
  const line = value === undefined ? "" : cleanLine(value);
  return line === "" ? null : line;
}

function optionalText(value: string | undefined): string | null {
  const text = value === undefined ? "" : cleanText(value).trim();
  return text === "" ? null : text;
}

/** Epoch milliseconds of an ISO timestamp, or null when absent or unparseable. */
export function epochMillis(iso: string | undefined): number | null {
  if (iso === undefined) return null;
  const millis = Date.parse(iso);
  return Number.isNaN(millis) ? null : millis;
}

function timeOfDay(iso: string | undefined): string | null {
  const millis = epochMillis(iso);
  return millis === null ? null : new Date(millis).toISOString().slice(11, 19);
}

function dateTime(iso: string | undefined): string | null {
  const millis = epochMillis(iso);
  return millis === null ? null : `${new Date(millis).toISOString().slice(0, 19).replace("T", " ")} UTC`;
}
