import { describe, expect, it } from "vitest";
import { cutMarkdown } from "../../src/report/cut-markdown.js";
import { isWellFormed, structureOf } from "./markdown-checks.js";

const cutNote = (omitted: number) => `_Output cut; ${omitted.toLocaleString("en-US")} characters left out._`;

/** A document with everything a report has: tables, details with fenced logs, a mermaid block. */
function document(sections: number): string {
  const parts = ["### ❌ Shadow test failed", "", "| Task | State |", "| --- | --- |"];
  for (let i = 0; i < sections; i += 1) parts.push(`| task_${i} | failed |`);
  for (let i = 0; i < sections; i += 1) {
    parts.push(
      "",
      `<details><summary>task_${i}</summary>`,
      "",
      "````text",
      ...Array.from({ length: 5 + (i % 7) }, (_, line) => `log ${i}.${line} with \`\`\` inside and </details>`),
      "````",
      "",
      "</details>",
    );
  }
  parts.push("", "```mermaid", "gantt", "    dateFormat x");
  for (let i = 0; i < sections; i += 1) parts.push(`    task_${i} :crit, t${i}, ${1_000 * i}, ${1_000 * i + 500}`);
  parts.push("```", "", "<sub>Phases: provisioning 4 min 05 s</sub>", "");
  return parts.join("\n");
}

describe("cutMarkdown", () => {
  const source = document(40);

  it("returns markdown that fits unchanged, without a note", () => {
    const result = cutMarkdown({ markdown: source, maxLength: source.length, cutNote });
    expect(result).toEqual({ markdown: source, omittedChars: 0 });
  });

  it("is never longer than the limit, stays well-formed and notes the cut, for every size", () => {
    expect(isWellFormed(source)).toBe(true);
    for (let maxLength = 1; maxLength < source.length; maxLength += 7) {
      const { markdown, omittedChars } = cutMarkdown({ markdown: source, maxLength, cutNote });
      expect(markdown.length, `maxLength ${maxLength}`).toBeLessThanOrEqual(maxLength);
      expect(isWellFormed(markdown), `maxLength ${maxLength}:\n${markdown}`).toBe(true);
      expect(omittedChars).toBeGreaterThan(0);
      if (maxLength < 60) continue; // shorter than the note itself: only the limit can hold
      expect(markdown).toContain(`${omittedChars.toLocaleString("en-US")} characters left out`);
      expect(markdown.trimEnd().endsWith("left out._")).toBe(true);
    }
  });

  it("cuts at a line boundary: everything before the note is a prefix of the source, plus closers", () => {
    const { markdown } = cutMarkdown({ markdown: source, maxLength: 2_000, cutNote });
    const kept = markdown.slice(0, markdown.indexOf("\n````\n") + 1);
    expect(source.startsWith(kept)).toBe(true);
    expect(kept.endsWith("\n")).toBe(true);
  });

  it("closes an open fence and the <details> around it", () => {
    const cutInsideLog = source.indexOf("log 3.2");
    const { markdown } = cutMarkdown({ markdown: source, maxLength: cutInsideLog + 120, cutNote });
    expect(markdown).toMatch(/log 3\.\d with [^\n]*\n````\n\n<\/details>\n\n_Output cut;/);
    expect(isWellFormed(markdown)).toBe(true);
  });

  it("drops a mermaid block it would cut instead of leaving half a chart", () => {
    const insideChart = source.indexOf("    task_20 :crit");
    const { markdown } = cutMarkdown({ markdown: source, maxLength: insideChart + 100, cutNote });
    expect(markdown).not.toContain("```mermaid");
    expect(structureOf(markdown).codeBlocks.every((block) => block.info === "text")).toBe(true);
    expect(markdown).toContain("_Output cut;");
  });

  it.each([Number.NaN, -1])("refuses a maxLength of %s instead of looping", (maxLength) => {
    expect(() => cutMarkdown({ markdown: source, maxLength, cutNote })).toThrow(RangeError);
  });

  it("keeps to the limit even when the note alone is too long", () => {
    const { markdown } = cutMarkdown({ markdown: source, maxLength: 10, cutNote });
    expect(markdown.length).toBeLessThanOrEqual(10);
  });
});
