import { describe, expect, it } from "vitest";
import { mermaidLabel } from "../../src/report/mermaid-label.js";

describe("mermaidLabel", () => {
  it.each([
    ["an Airflow task id", "extract_sales", "extract_sales"],
    ["a task group id", "group.sub-task_1", "group.sub-task_1"],
    ["colon", "a:b", "a_b"],
    ["hash and semicolon", "a#b;c", "a_b_c"],
    ["line break", "a\nb", "a_b"],
    ["comment marker", "a %% b", "a_b"],
    ["spaces", "load sales", "load_sales"],
    ["keyword gantt", "gantt", "_gantt"],
    ["keyword section", "Section_a", "_Section_a"],
    ["keyword with no space needed", "topAxis_job", "_topAxis_job"],
    ["date at the start", "2025-01-14_load", "_2025-01-14_load"],
    ["nothing left", ":::", "task"],
    ["empty", "", "task"],
    ["non-Latin letters", "données_été", "données_été"],
  ])("%s", (_name, input, expected) => {
    expect(mermaidLabel(input)).toBe(expected);
  });

  it("shortens long names", () => {
    const label = mermaidLabel("x".repeat(500));
    expect(label.length).toBeLessThanOrEqual(60);
    expect(label.endsWith("…")).toBe(true);
  });

  it("never contains a character that ends or comments a gantt task", () => {
    for (const input of ["a:b", "#", ";", "%%{init}%%", "x\r\ny", "<b>", "`"]) {
      expect(mermaidLabel(input)).not.toMatch(/[:#;%\n\r<>`\s]/);
    }
  });
});
