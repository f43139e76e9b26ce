import { cutMarkdown } from "./cut-markdown.js";

/** Log lines per task tried in turn, after the caller's own maximum, before anything is cut. */
const FEWER_LOG_LINES = [10, 3, 0];

export interface FitMarkdownParams {
  /** Renders the document showing at most this many log lines per task. */
  render: (maxLogLines: number) => string;
  maxLength: number;
  maxLogLines: number;
  /** The visible note appended when the document had to be cut, given how many characters were left out. */
  cutNote: (omittedChars: number) => string;
}

export interface FittedMarkdown {
  markdown: string;
  /** The log lines per task of the version returned. */
  logLinesPerTask: number;
  /** Characters cut from the end; 0 when shortening the logs was enough. */
  omittedChars: number;
}

/**
 * Make a rendered document fit a length limit: first with fewer log lines per task
 * (maxLogLines, then 10, 3 and 0), and when even that is too long, by cutting it at a line
 * boundary with cutMarkdown, which keeps it well-formed and says so in a visible note.
 *
 * Fewer log lines never make a longer document, so when the full version does not fit, the
 * version without logs is tried next: if that does not fit either, it is cut straight away
 * instead of rendering the steps in between (a run with thousands of tasks renders twice,
 * not four times).
 */
export function fitMarkdown({ render, maxLength, maxLogLines, cutNote }: FitMarkdownParams): FittedMarkdown {
  if (Number.isNaN(maxLength) || maxLength < 0) throw new RangeError(`maxLength must be a length, got ${maxLength}`);
  const most = Number.isFinite(maxLogLines) ? Math.max(0, Math.floor(maxLogLines)) : 0;
  const rendered = new Map<number, string>();
  const renderOnce = (lines: number) => {
    let markdown = rendered.get(lines);
    if (markdown === undefined) {
      markdown = render(lines);
      rendered.set(lines, markdown);
    }
    return markdown;
  };

  const full = renderOnce(most);
  if (full.length <= maxLength) return { markdown: full, logLinesPerTask: most, omittedChars: 0 };

  const withoutLogs = renderOnce(0);
  if (withoutLogs.length > maxLength) {
    const cut = cutMarkdown({ markdown: withoutLogs, maxLength, cutNote });
    return { markdown: cut.markdown, logLinesPerTask: 0, omittedChars: cut.omittedChars };
  }
  for (const lines of FEWER_LOG_LINES.filter((step) => step < most)) {
    const markdown = renderOnce(lines);
    if (markdown.length <= maxLength) return { markdown, logLinesPerTask: lines, omittedChars: 0 };
  }
  return { markdown: withoutLogs, logLinesPerTask: 0, omittedChars: 0 };
}
