import { cleanText } from "./clean-text.js";

/**
 * Escaping for everything user-controlled that a report puts into GitHub-flavoured markdown.
 * Fenced code needs no escaping: pick its fence with codeFenceFor instead.
 */

const ZERO_WIDTH_JOINER = "\u200d";

// Characters that start markdown syntax anywhere in a line: emphasis, code, links and images,
// headings, table cells, strikethrough, math, and the backslash itself.
const MARKDOWN_PUNCTUATION = /[\\`*_[\]()#|~!$]/g;

/**
 * Text for a markdown paragraph, heading or table cell. Markdown punctuation is
 * backslash-escaped, `&`, `<` and `>` become entities (so `<script>` and raw HTML are inert),
 * `@name` and `#123` get a zero-width joiner so they neither ping people nor link issues,
 * and line breaks become `<br>` so a value never ends a table row or a paragraph.
 */
export function escapeMarkdown(text: string): string {
  const escaped = breakReferences(
    cleanText(text)
      .replace(/&/g, "&amp;")
      .replace(/</g, "&lt;")
      .replace(/>/g, "&gt;")
      .replace(MARKDOWN_PUNCTUATION, "\\$&"),
  ).replace(/\n/g, "<br>");
  // List items, setext headings and ordered lists only start at the beginning of a line.
  return escaped.replace(/^([-+=])/, "\\$1").replace(/^(\d+)([.)])/, "$1\\$2");
}

/**
 * Text inside raw HTML (a `<summary>`), where markdown is not parsed: entities only, plus the
 * same protection against mentions and issue links. Always one line.
 */
export function escapeHtml(text: string): string {
  return breakReferences(
    cleanText(text)
      .replace(/\s+/g, " ")
      .trim()
      .replace(/&/g, "&amp;")
      .replace(/</g, "&lt;")
      .replace(/>/g, "&gt;")
      .replace(/"/g, "&quot;")
      .replace(/'/g, "&#39;"),
  );
}

/** A backtick fence that no line of `code` can close: longer than its longest backtick run, at least 3. */
export function codeFenceFor(code: string): string {
  const longestRun = Math.max(0, ...Array.from(code.matchAll(/`+/g), (match) => match[0].length));
  return "`".repeat(Math.max(3, longestRun + 1));
}

/**
 * A URL fit for a markdown link destination, or null when it is not an http(s) URL.
 * Credentials in it are dropped (they must never reach a PR), and parentheses and
 * spaces are percent-encoded so the destination cannot end early.
 */
export function markdownLinkUrl(url: string): string | null {
  let parsed: URL;
  try {
    parsed = new URL(cleanText(url).trim());
  } catch {
    return null;
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") return null;
  parsed.username = "";
  parsed.password = "";
  return parsed.href.replace(/\(/g, "%28").replace(/\)/g, "%29").replace(/ /g, "%20");
}

/**
 * `[label](url)` when the URL is safe to link; otherwise the label alone, as text (the URL is
 * not echoed: it may be a script, or carry credentials in a form we cannot strip).
 */
export function markdownLink(label: string, url: string): string {
  const href = markdownLinkUrl(url);
  if (href === null) return escapeMarkdown(label);
  return `[${escapeMarkdown(label)}](${href})`;
}

function breakReferences(text: string): string {
  return text
    .replace(/@(?=[\p{L}\p{N}_-])/gu, `@${ZERO_WIDTH_JOINER}`)
    .replace(/(?<!&)#(?=\d)/g, `#${ZERO_WIDTH_JOINER}`);
}
