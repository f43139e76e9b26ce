import Handlebars from "handlebars";
import { escapeHtml, escapeMarkdown, markdownLink } from "./escape-markdown.js";
import { formatDuration } from "../core/format-duration.js";
import { mermaidLabel } from "./mermaid-label.js";

export type TemplateEngine = typeof Handlebars;

const ANSI = { green: "\u001b[32m", red: "\u001b[31m", reset: "\u001b[0m" } as const;
const ANSI_SEQUENCE = /\u001b\[[0-9;]*m/g;
const COLUMN_GAP = "  ";

/**
 * A private Handlebars instance with every helper the report templates use. All helpers live
 * here: besides Handlebars' built-ins, a template can only call what this file defines.
 *
 * Markdown escaping: `{{md x}}` for markdown text and table cells, `{{html x}}` inside raw HTML
 * such as `<summary>`, `{{mdLink label url}}` for links, `{{mermaid x}}` for gantt task names.
 * Markdown templates are compiled with Handlebars' HTML escaping on, so a value printed without
 * a helper is still inert HTML; terminal templates are plain text.
 */
export function createTemplateEngine(): TemplateEngine {
  const engine = Handlebars.create();
  const safe = (text: string) => new engine.SafeString(text);

  engine.registerHelper({
    /** Markdown text or a table cell: `{{md task.taskId}}`. */
    md: (value: unknown) => safe(escapeMarkdown(text("md", value))),
    /** Text inside raw HTML: `<summary>{{html task.taskId}}</summary>`. */
    html: (value: unknown) => safe(escapeHtml(text("html", value))),
    /** `{{mdLink "Airflow" airflowUrl}}`: a link when the URL is http(s), else the label alone. */
    mdLink: (label: unknown, url: unknown) => safe(markdownLink(text("mdLink", label), text("mdLink", url))),
    /** A gantt task or section name: `{{mermaid task.taskId}}`. */
    mermaid: (value: unknown) => safe(mermaidLabel(text("mermaid", value))),
    /** Milliseconds as "4 min 05 s". */
    formatDuration: (ms: unknown) => formatDuration(numberArgument("formatDuration", ms)),
    /** 3000 as "3,000". */
    number: (value: unknown) => numberArgument("number", value).toLocaleString("en-US"),
    /** `{{plural count "task" "tasks"}}`. */
    plural: (count: unknown, singular: unknown, pluralForm: unknown) =>
      numberArgument("plural", count) === 1 ? text("plural", singular) : text("plural", pluralForm),
    /** `{{#if (eq state "failed")}}`. */
    eq: (left: unknown, right: unknown) => left === right,
    /** Every line of a block of text, indented: `{{indent task.lines 4}}`. */
    indent: (value: unknown, width: unknown) => {
      const pad = " ".repeat(numberArgument("indent", width));
      return text("indent", value)
        .split("\n")
        .map((line) => (line === "" ? line : pad + line))
        .join("\n");
    },
    /**
     * `{{paint "green" text}}`: ANSI color (green or red) when the root context has
     * `color: true`, the text unchanged otherwise.
     */
    paint: (color: unknown, value: unknown, options: Handlebars.HelperOptions) => {
      const name = text("paint", color);
      if (!(name in ANSI) || name === "reset") throw new TypeError(`paint: unknown color "${name}"`);
      const painted = text("paint", value);
      const useColor = (options.data as { root?: { color?: unknown } } | undefined)?.root?.color === true;
      return useColor && painted !== "" ? `${ANSI[name as keyof typeof ANSI]}${painted}${ANSI.reset}` : painted;
    },
    /**
     * Aligns the tab-separated lines of its block into columns two spaces apart; color codes do
     * not count towards widths, and lines without a tab pass through untouched. Tabs cannot
     * come from data: single-line values have their whitespace collapsed.
     */
    alignColumns: function (this: unknown, options: Handlebars.HelperOptions) {
      return alignColumns(options.fn(this));
    },
  });
  requireDefinedArguments(engine, ["if", "unless", "each", "with"]);
  return engine;
}

/**
 * Strict mode checks `{{field}}` but not the arguments of block helpers, so `{{#if typo}}`
 * would quietly be false: make the built-in block helpers throw on a missing field as well.
 * Views say "absent" with null, never undefined.
 */
function requireDefinedArguments(engine: TemplateEngine, names: string[]): void {
  for (const name of names) {
    const builtin = engine.helpers[name] as (this: unknown, ...args: unknown[]) => unknown;
    engine.registerHelper(name, function (this: unknown, ...args: unknown[]) {
      if (args.length > 1 && args[0] === undefined) {
        throw new TypeError(`#${name}: its argument is missing from the view`);
      }
      return builtin.apply(this, args);
    });
  }
}

function alignColumns(block: string): string {
  const rows = block.split("\n").map((line) => (line.includes("\t") ? line.split("\t") : null));
  const widths: number[] = [];
  for (const cells of rows) {
    cells?.forEach((cell, column) => {
      widths[column] = Math.max(widths[column] ?? 0, visibleLength(cell));
    });
  }
  return block
    .split("\n")
    .map((line, index) => {
      const cells = rows[index];
      if (!cells) return line;
      return cells
        .map((cell, column) =>
          column === cells.length - 1 ? cell : cell + " ".repeat((widths[column] ?? 0) - visibleLength(cell)),
        )
        .join(COLUMN_GAP)
        .trimEnd();
    })
    .join("\n");
}

function visibleLength(cell: string): number {
  return Array.from(cell.replace(ANSI_SEQUENCE, "")).length;
}

function text(helper: string, value: unknown): string {
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (value instanceof Handlebars.SafeString) return value.toString();
  throw new TypeError(`${helper}: expected text, got ${value === null ? "null" : typeof value}`);
}

function numberArgument(helper: string, value: unknown): number {
  if (typeof value === "number" && Number.isFinite(value)) return value;
  throw new TypeError(`${helper}: expected a number, got ${value === null ? "null" : typeof value}`);
}
