/**
 * Converts the body of Airflow's task log endpoint into plain text lines, whatever its shape:
 *
 * - Airflow 3 JSON: `{"content": [{"timestamp", "level", "event", "error_detail"?…}, …], "continuation_token"}`
 *   (structured log records; `::group::`/`::endgroup::` entries are UI folding markers);
 * - Airflow 3 NDJSON (`Accept: application/x-ndjson`): one such record per line;
 * - Airflow 2 JSON: `{"content": "text"}` or `{"content": [["host", "text"], …]}`;
 * - plain text.
 */
import { isObject } from "./parse-airflow-response.js";

/** Plain text lines of a task log body (already parsed JSON, or the raw text). */
export function taskLogToLines(body: unknown): string[] {
  if (typeof body === "string") return textBodyToLines(body);
  if (isObject(body) && "content" in body) return contentToLines(body["content"]);
  if (Array.isArray(body)) return contentToLines(body);
  if (isObject(body)) return recordToLines(body);
  return [];
}

/** The last `maxLines` lines of a task log body, joined with newlines. */
export function taskLogTail(body: unknown, maxLines: number): string {
  return tailOfLines(taskLogToLines(body), maxLines);
}

/** The last `maxLines` lines (trailing blank lines dropped), joined with newlines. */
export function tailOfLines(lines: readonly string[], maxLines: number): string {
  let end = lines.length;
  while (end > 0 && lines[end - 1]?.trim() === "") end--;
  if (maxLines <= 0) return "";
  return lines.slice(Math.max(0, end - maxLines), end).join("\n");
}

function textBodyToLines(text: string): string[] {
  const trimmed = text.trim();
  if (trimmed.startsWith("{")) {
    // A JSON document, or NDJSON (one JSON record per line).
    try {
      return taskLogToLines(JSON.parse(trimmed) as unknown);
    } catch {
      const lines: string[] = [];
      for (const raw of trimmed.split("\n")) {
        if (raw.trim() === "") continue;
        try {
          lines.push(...taskLogToLines(JSON.parse(raw) as unknown));
        } catch {
          lines.push(raw);
        }
      }
      return lines;
    }
  }
  return splitLines(text);
}

function contentToLines(content: unknown): string[] {
  if (typeof content === "string") return splitLines(content);
  if (!Array.isArray(content)) return [];
  const lines: string[] = [];
  for (const item of content) {
    if (typeof item === "string") {
      lines.push(...splitLines(item));
    } else if (Array.isArray(item)) {
      // Airflow 2: [hostname, text]
      const text = item[item.length - 1];
      if (typeof text === "string") lines.push(...splitLines(text));
    } else if (isObject(item)) {
      lines.push(...recordToLines(item));
    }
  }
  return lines;
}

/** One structured log record of Airflow 3 → its text line(s). */
function recordToLines(record: Record<string, unknown>): string[] {
  const event = record["event"];
  let message = typeof event === "string" ? event : event === undefined ? "" : JSON.stringify(event);
  if (message.startsWith("::endgroup::")) return [];
  if (message.startsWith("::group::")) message = message.slice("::group::".length);

  const prefix: string[] = [];
  const timestamp = record["timestamp"];
  if (typeof timestamp === "string") prefix.push(timestamp);
  const level = record["level"];
  if (typeof level === "string") prefix.push(level.toUpperCase());

  const [first = "", ...rest] = splitLines(message);
  const lines = [[...prefix, first].join(" "), ...rest];
  lines.push(...errorDetailToLines(record["error_detail"]));
  return lines;
}

/** `error_detail`: a list of exceptions, each `{exc_type, exc_value, frames: [{filename, lineno, name}]}`. */
function errorDetailToLines(detail: unknown): string[] {
  if (!Array.isArray(detail)) return [];
  const lines: string[] = [];
  for (const exc of detail) {
    if (!isObject(exc)) continue;
    const frames = exc["frames"];
    if (Array.isArray(frames)) {
      for (const frame of frames) {
        if (!isObject(frame)) continue;
        const file = typeof frame["filename"] === "string" ? frame["filename"] : "?";
        const line = typeof frame["lineno"] === "number" ? frame["lineno"] : "?";
        const name = typeof frame["name"] === "string" ? frame["name"] : "?";
        lines.push(`  File "${file}", line ${line}, in ${name}`);
      }
    }
    const type = typeof exc["exc_type"] === "string" ? exc["exc_type"] : "Exception";
    const value = typeof exc["exc_value"] === "string" ? exc["exc_value"] : "";
    lines.push(`${type}: ${value}`);
  }
  return lines;
}

function splitLines(text: string): string[] {
  const lines = text.split(/\r?\n/);
  if (lines.length > 1 && lines[lines.length - 1] === "") lines.pop();
  return lines;
}
