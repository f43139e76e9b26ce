import type { ShadowReport } from "../../core/shadow-report.js";
import { buildReportView } from "../../report/report-view.js";
import type { Annotation } from "../github/check-runs.js";
import { LIMITS, renderLine, renderText } from "../render/bot-text.js";

/** Log lines quoted in each annotation. */
const ANNOTATION_LOG_LINES = 30;

/**
 * One failure annotation per failed task that names its R script, on the script's first line,
 * with the end of the task's log. Paths must be relative paths inside the repository.
 */
export function failedTaskAnnotations(report: ShadowReport): Annotation[] {
  const tasks = report.dagRun?.tasks ?? [];
  const logs = new Map(buildReportView({ report, maxLogLines: ANNOTATION_LOG_LINES }).taskLogs.map((log) => [log.taskId, log]));
  return tasks.flatMap((task) => {
    const path = repositoryPath(task.scriptPath);
    if (task.state !== "failed" || path === null) return [];
    const log = logs.get(task.taskId.trim()) ?? null;
    const view = { taskId: task.taskId, state: task.state, tryNumber: task.tryNumber };
    return [
      {
        path,
        start_line: 1,
        end_line: 1,
        annotation_level: "failure" as const,
        title: renderLine("annotation-title", view, LIMITS.annotationTitle),
        message: renderText(
          "annotation-message",
          { text: log?.text ?? "", shortened: log?.shortened ?? false, shownLines: log?.shownLines ?? 0, totalLines: log?.totalLines ?? 0 },
          LIMITS.annotationMessage,
        ) || renderLine("annotation-title", view, LIMITS.annotationTitle),
      },
    ];
  });
}

/** "r/x.R" from "./r/x.R"; null for absolute paths, "..", or empty. */
function repositoryPath(path: string | undefined): string | null {
  if (path === undefined) return null;
  const normalized = path.trim().replace(/\\/g, "/").replace(/^(\.\/)+/, "");
  if (normalized === "" || normalized.startsWith("/") || normalized.split("/").includes("..") || /[\u0000-\u001f]/.test(normalized)) return null;
  return normalized;
}
