import { describe, expect, it } from "vitest";
import { fitMarkdown } from "../../src/report/fit-markdown.js";
import { isWellFormed } from "./markdown-checks.js";

const cutNote = (omitted: number) => `_Output cut; ${omitted} characters left out._`;

/** A report-like document whose size depends on the log lines shown per task. */
function render(logLines: number): string {
  const tasks = Array.from({ length: 20 }, (_, i) => `| task_${i} | failed |`).join("\n");
  const logs = Array.from({ length: 20 }, (_, i) =>
    [
      `<details><summary>task_${i}</summary>`,
      "",
      "```text",
      ...Array.from({ length: logLines }, (_, line) => `log line ${line} ${"x".repeat(40)}`),
      "```",
      "",
      "</details>",
    ].join("\n"),
  ).join("\n\n");
  return `| Task | State |\n| --- | --- |\n${tasks}\n\n${logs}\n`;
}

describe("fitMarkdown", () => {
  it.each([
    ["fits as it is", 100_000, 40, 40, false, [40]],
    ["shortens the logs to 10 lines", render(10).length, 40, 10, false, [40, 0, 10]],
    ["shortens the logs to 3 lines", render(3).length + 5, 40, 3, false, [40, 0, 10, 3]],
    ["drops the logs", render(0).length, 40, 0, false, [40, 0, 10, 3]],
    ["cuts when even no logs do not fit, without rendering the steps between", render(0).length - 1, 40, 0, true, [40, 0]],
    ["starts from a smaller maximum", render(5).length, 5, 5, false, [5]],
    ["starts from a smaller maximum, then 3", render(4).length, 5, 3, false, [5, 0, 3]],
    ["has nothing to shorten when the maximum is 0", render(0).length - 1, 0, 0, true, [0]],
  ])("%s", (_name, maxLength, maxLogLines, expectedLines, cut, renders) => {
    const rendered: number[] = [];
    const result = fitMarkdown({
      render: (lines) => {
        rendered.push(lines);
        return render(lines);
      },
      maxLength,
      maxLogLines,
      cutNote,
    });
    expect(result.logLinesPerTask).toBe(expectedLines);
    expect(result.markdown.length).toBeLessThanOrEqual(maxLength);
    expect(isWellFormed(result.markdown)).toBe(true);
    expect(result.markdown.includes("_Output cut;")).toBe(cut);
    expect(result.omittedChars > 0).toBe(cut);
    expect(rendered).toEqual(renders);
  });

  it("is never longer than the limit and notes a cut only when it cut, for many sizes", () => {
    const full = render(40).length;
    for (let maxLength = 80; maxLength <= full + 100; maxLength += 97) {
      const result = fitMarkdown({ render, maxLength, maxLogLines: 40, cutNote });
      expect(result.markdown.length, `maxLength ${maxLength}`).toBeLessThanOrEqual(maxLength);
      expect(isWellFormed(result.markdown), `maxLength ${maxLength}`).toBe(true);
      const cut = maxLength < render(0).length;
      expect(result.markdown.includes("_Output cut;"), `maxLength ${maxLength}`).toBe(cut);
    }
  });
});
