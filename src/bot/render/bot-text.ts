import { cleanLine } from "../../report/clean-text.js";
import { cutMarkdown } from "../../report/cut-markdown.js";
import { escapeHtml } from "../../report/escape-markdown.js";
import { loadTemplate } from "../../report/load-templates.js";

/** The bot's templates, templates/bot/NAME.hbs: every text a person sees on GitHub. */
export type BotTemplate =
  | "annotation-message"
  | "annotation-title"
  | "check-actions"
  | "command-help"
  | "cut-note"
  | "dag-check-summary"
  | "dag-check-title"
  | "deployment-description"
  | "environment-check-summary"
  | "environment-check-title"
  | "failure-reason"
  | "reply"
  | "sticky-comment";

/** GitHub's limits on what the bot writes. */
export const LIMITS = {
  checkOutput: 65_535,
  checkTitle: 255,
  comment: 65_536,
  deploymentDescription: 140,
  annotationMessage: 65_535,
  annotationTitle: 255,
} as const;

/** Markdown from a bot template, cut at a line boundary with a visible note when longer than maxLength. */
export function renderMarkdown(name: BotTemplate, view: object, maxLength: number): string {
  const markdown = loadTemplate(`bot/${name}`)(view).trim();
  return cutMarkdown({
    markdown,
    maxLength,
    cutNote: (omittedChars) => loadTemplate("bot/cut-note")({ maxLength, omittedChars }).trim(),
  }).markdown.trim();
}

/**
 * One line of plain text from a bot template (check titles, deployment descriptions): whitespace
 * collapsed, control characters removed, shortened with "…" to maxLength. These templates print
 * values with triple braces, since GitHub shows these fields as text, not HTML.
 */
export function renderLine(name: BotTemplate, view: object, maxLength: number): string {
  return shorten(cleanLine(loadTemplate(`bot/${name}`)(view)), maxLength);
}

/** Plain multi-line text from a bot template (annotation messages), shortened to maxLength. */
export function renderText(name: BotTemplate, view: object, maxLength: number): string {
  return shorten(loadTemplate(`bot/${name}`)(view).trim(), maxLength);
}

export function shorten(text: string, maxLength: number): string {
  if (text.length <= maxLength) return text;
  const end = /[\uD800-\uDBFF]/.test(text.charAt(maxLength - 2)) ? maxLength - 2 : maxLength - 1;
  return `${text.slice(0, end)}…`;
}

/**
 * `<code>text</code>` safe inside a markdown table cell: HTML-escaped, and `|` as an entity,
 * since GitHub splits table cells at a pipe even inside code. Printed with triple braces.
 */
export function tableCode(text: string): string {
  return `<code>${escapeHtml(text).replace(/\|/g, "&#124;")}</code>`;
}
