import { cleanText } from "./clean-text.js";

const MAX_LABEL_LENGTH = 60;

// Mermaid's gantt lexer reads these at the start of a line before it reads a task name
// (case-insensitive; the others need a space after them, which a label never has).
const GANTT_KEYWORD_START =
  /^(?:gantt|dateformat|inclusiveenddates|topaxis|axisformat|tickinterval|includes|excludes|todaymarker|weekday|title|accdescription|acctitle|accdescr|section|click|href|call|\d{4}-\d\d-\d\d)/i;

/**
 * A task name that cannot break a mermaid gantt line: only letters, digits, `_`, `.` and `-`
 * survive (so no `:`, `#`, `;`, `%`, spaces or line breaks), long names are shortened, and a
 * name that mermaid would read as a keyword or a date gets a leading `_`.
 */
export function mermaidLabel(text: string): string {
  let label = cleanText(text).replace(/[^\p{L}\p{M}\p{N}_.-]+/gu, "_");
  if (label === "" || label === "_") label = "task";
  if (label.length > MAX_LABEL_LENGTH) label = `${Array.from(label).slice(0, MAX_LABEL_LENGTH - 1).join("")}…`;
  return GANTT_KEYWORD_START.test(label) ? `_${label}` : label;
}
