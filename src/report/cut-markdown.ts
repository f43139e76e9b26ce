/** A fenced code block still open at the end of a piece of markdown. */
interface OpenFence {
  /** The fence character and how many of them opened it; the closer needs at least as many. */
  char: "`" | "~";
  length: number;
  /** First word of the info string ("mermaid", "text", …). */
  language: string;
  /** Offset of the line that opened it. */
  start: number;
}

interface OpenBlocks {
  fence: OpenFence | null;
  /** `<details>` elements opened outside code and not closed yet. */
  details: number;
}

export interface CutMarkdownParams {
  markdown: string;
  /** The result, note included, is never longer than this (in UTF-16 code units, as String.length counts). */
  maxLength: number;
  /** The visible note appended after a cut, given how many characters of `markdown` were left out. */
  cutNote: (omittedChars: number) => string;
}

export interface CutMarkdown {
  markdown: string;
  /** 0 when the markdown fitted as it was. */
  omittedChars: number;
}

/**
 * Cut markdown to fit a length limit without breaking it: the cut falls on a line boundary, a
 * code fence left open is closed (a mermaid block is dropped whole, since half a diagram does
 * not render), every open `<details>` is closed, and the note says what was left out.
 * Markdown that fits is returned as it is, without a note.
 */
export function cutMarkdown({ markdown, maxLength, cutNote }: CutMarkdownParams): CutMarkdown {
  if (Number.isNaN(maxLength) || maxLength < 0) throw new RangeError(`maxLength must be a length, got ${maxLength}`);
  if (markdown.length <= maxLength) return { markdown, omittedChars: 0 };

  let budget = maxLength;
  for (;;) {
    const lineEnd = markdown.lastIndexOf("\n", budget - 1) + 1;
    let kept = markdown.slice(0, lineEnd);
    let open = openBlocksAtEnd(kept);
    if (open.fence?.language === "mermaid") {
      kept = kept.slice(0, open.fence.start);
      open = openBlocksAtEnd(kept);
    }
    const omittedChars = markdown.length - kept.length;
    const closed = closeBlocks(kept, open);
    const result = `${closed}${closed === "" ? "" : "\n"}${cutNote(omittedChars)}\n`;
    if (result.length <= maxLength) return { markdown: result, omittedChars };
    if (lineEnd === 0) break;
    budget = Math.max(0, lineEnd - (result.length - maxLength));
  }

  // Not even the note fits: a limit this small is a caller's mistake, but still never exceed it.
  return { markdown: cutNote(markdown.length).slice(0, maxLength), omittedChars: markdown.length };
}

function closeBlocks(kept: string, open: OpenBlocks): string {
  let closed = kept;
  if (open.fence) closed += `${open.fence.char.repeat(open.fence.length)}\n`;
  for (let i = 0; i < open.details; i += 1) closed += "\n</details>\n";
  return closed;
}

/** Which fence and how many `<details>` are open at the end of `markdown` (CommonMark fence rules). */
function openBlocksAtEnd(markdown: string): OpenBlocks {
  let fence: OpenFence | null = null;
  let details = 0;
  let offset = 0;
  for (const line of markdown.split("\n")) {
    if (fence) {
      const closer = /^ {0,3}(`{3,}|~{3,})[ \t]*$/.exec(line);
      if (closer?.[1] && closer[1][0] === fence.char && closer[1].length >= fence.length) fence = null;
    } else {
      const opener = /^ {0,3}(`{3,}|~{3,})(.*)$/.exec(line);
      const marker = opener?.[1];
      const info = opener?.[2] ?? "";
      if (marker && !(marker[0] === "`" && info.includes("`"))) {
        fence = {
          char: marker[0] === "`" ? "`" : "~",
          length: marker.length,
          language: info.trim().split(/\s+/)[0] ?? "",
          start: offset,
        };
      } else {
        details += (line.match(/<details\b/gi) ?? []).length;
        details = Math.max(0, details - (line.match(/<\/details\s*>/gi) ?? []).length);
      }
    }
    offset += line.length + 1;
  }
  return { fence, details };
}
