import { describe, expect, it, vi } from "vitest";
import type { ShadowReport } from "../../src/core/shadow-report.js";
import { renderMarkdownReport, renderMarkdownReportSafely } from "../../src/report/render-markdown-report.js";
import { failedMigrationRun, failedRTaskRun, hostileRun, hugeRun, passedRun, sixtyFailuresRun } from "./report-fixtures.js";
import { isWellFormed, structureOf, tableRow } from "./markdown-checks.js";

const ganttOf = (markdown: string) => structureOf(markdown).codeBlocks.find((block) => block.info === "mermaid")?.body;
const CUT_NOTE = /_Output cut to fit GitHub's 65,535-character limit; [\d,]+ characters left out\. Run `shadowops status` or see \[the Airflow UI\]\(http:\/\/203\.0\.113\.10:8080\/dags\/sales_daily\/grid\) for the rest\._\n$/;

describe("renderMarkdownReport", () => {
  it.each([
    ["passed run", passedRun(), "### ✅ Shadow test passed: shadow-acme-sales-pr-42"],
    ["failed R task", failedRTaskRun(), "### ❌ Shadow test failed: shadow-acme-sales-pr-42"],
    ["failed migration", failedMigrationRun(), "### ❌ Shadow test failed: shadow-acme-sales-pr-43"],
  ])("starts a %s with the outcome", (_name, report, summary) => {
    const markdown = renderMarkdownReport(report);
    expect(markdown.split("\n")[0]).toBe(summary);
    expect(isWellFormed(markdown)).toBe(true);
  });

  it("links the Airflow UI, dropping credentials", () => {
    const report = passedRun();
    report.airflowUrl = "https://admin:s3cret@airflow.example.com/dags/sales_daily/grid";
    const markdown = renderMarkdownReport(report);
    expect(markdown).toContain("[Open the Airflow UI](https://airflow.example.com/dags/sales_daily/grid)");
    expect(markdown).not.toContain("s3cret");
  });

  it("tables the migrations and the tasks of a passed run, with no log section", () => {
    const markdown = renderMarkdownReport(passedRun());
    expect(tableRow(markdown, "0002\\_add\\_region\\_column.sql")).toEqual(["0002\\_add\\_region\\_column.sql", "✅ applied", "1.2 s"]);
    expect(tableRow(markdown, "0001\\_create\\_sales.sql")).toEqual(["0001\\_create\\_sales.sql", "⏭️ skipped", "-"]);
    expect(tableRow(markdown, "validate\\_outputs")).toEqual(["validate\\_outputs", "✅ success", "1", "09:34:22", "1 h 02 min"]);
    expect(markdown).not.toContain("<details>");
    expect(markdown).toContain("<sub>Phases: provisioning 4 min 05 s · configuring 1 min 02 s · migrating 4.2 s · running 12 min 03 s · total 17 min 14 s</sub>");
  });

  it("shows a failed task as failed on try 2, with its log tail in <details> and a fence no log line can close", () => {
    const markdown = renderMarkdownReport(failedRTaskRun());
    expect(tableRow(markdown, "transform\\_sales\\_r")).toEqual(["transform\\_sales\\_r", "❌ failed", "2", "09:30:14", "4 min 05 s"]);
    expect(tableRow(markdown, "load\\_warehouse")).toEqual(["load\\_warehouse", "⛔ upstream\\_failed", "0", "-", "-"]);

    expect(markdown).toContain(
      "<details><summary>❌ <code>transform_sales_r</code> failed on try 2: last 40 of 300 log lines</summary>\n\n```````text\n",
    );
    const structure = structureOf(markdown);
    const log = structure.codeBlocks.find((block) => block.info === "text");
    expect(log?.body.split("\n")).toHaveLength(40);
    expect(log?.body).toContain("```` fenced ```` inside the log </details> <script>alert(1)</script>");
    expect(log?.body.endsWith("Execution halted")).toBe(true);
    expect(structure.detailsBalance).toBe(0);
    expect(structure.prose).not.toContain("<script>");
  });

  it("draws a mermaid gantt of the task durations, the failed task crit", () => {
    const gantt = ganttOf(renderMarkdownReport(failedRTaskRun()));
    expect(gantt).toBeDefined();
    const bars = gantt!.split("\n").filter((line) => /^ {4}\S+ :/.test(line));
    expect(gantt).toContain("dateFormat x");
    expect(bars).toEqual([
      `    extract_sales :done, t1, ${Date.parse("2025-01-14T09:30:01Z")}, ${Date.parse("2025-01-14T09:30:13.300Z")}`,
      `    transform_sales_r :crit, t2, ${Date.parse("2025-01-14T09:30:14Z")}, ${Date.parse("2025-01-14T09:34:19Z")}`,
    ]);
  });

  it("says the DAG did not run after a failed migration, with the database's error in a code block", () => {
    const markdown = renderMarkdownReport(failedMigrationRun());
    expect(tableRow(markdown, "0003\\_add\\_index.sql")).toEqual(["0003\\_add\\_index.sql", "❌ failed", "310 ms"]);
    expect(tableRow(markdown, "0004\\_backfill\\_region.sql")).toEqual(["0004\\_backfill\\_region.sql", "⚪ not\\_run", "-"]);
    const error = structureOf(markdown).codeBlocks.find((block) => block.body.startsWith("ERROR:"));
    expect(error?.body).toContain("LINE 1: CREATE INDEX sales_region ON sales (regoin);\n" + " ".repeat(47) + "^");
    expect(markdown).toContain("The DAG did not run.");
    expect(ganttOf(markdown)).toBeUndefined();
  });

  describe("with user-controlled text that tries to break out", () => {
    const markdown = renderMarkdownReport(hostileRun());
    const { prose, codeBlocks } = structureOf(markdown);

    it.each([
      ["no raw <script> or <img> outside code", /<script|<img/i],
      ["no javascript: link", /\]\(javascript:/i],
      ["no @mention that pings", /@[A-Za-z0-9]/],
      ["no issue reference", /#\d/],
      ["no closing </details> of its own", /<\/details>[^\n]/],
    ])("%s", (_name, pattern) => {
      expect(prose).not.toMatch(pattern);
    });

    it("keeps a pipe in a task id inside its table cell", () => {
      const row = markdown.split("\n").find((line) => line.startsWith("| load"));
      expect(row?.split(/(?<!\\)\|/).length).toBe(7);
    });

    it("keeps the task's log verbatim in one code block, and the document balanced", () => {
      expect(codeBlocks.filter((block) => block.body.includes("boom")).map((block) => block.body)).toEqual([
        "boom\n</details>\n```\nstill inside",
      ]);
      expect(isWellFormed(markdown)).toBe(true);
    });

    it("gives mermaid only names it cannot misread", () => {
      const gantt = ganttOf(markdown)!;
      for (const line of gantt.split("\n").slice(5)) {
        expect(line).toMatch(/^ {4}[\p{L}\p{N}_.-]+ :(?:crit, |done, |active, )?t\d+, \d+, \d+$/u);
      }
      expect(gantt).toContain("    _gantt :done,");
      expect(gantt).toContain("section sales_daily_x");
    });
  });

  it("shortens 60 failed tasks' logs to 10 lines to fit, without cutting", () => {
    const markdown = renderMarkdownReport(sixtyFailuresRun());
    expect(markdown.length).toBeLessThanOrEqual(65_535);
    expect(markdown.match(/<details>/g)).toHaveLength(60);
    expect(markdown.match(/: last 10 of 300 log lines<\/summary>/g)).toHaveLength(60);
    expect(markdown).not.toContain("Output cut");
    expect(ganttOf(markdown)?.match(/:crit,/g)).toHaveLength(60);
    expect(isWellFormed(markdown)).toBe(true);
  });

  it("cuts 3,000 tasks with huge logs to GitHub's limit, well-formed, with a note", () => {
    const markdown = renderMarkdownReport(hugeRun());
    expect(markdown.length).toBeLessThanOrEqual(65_535);
    expect(markdown.length).toBeGreaterThan(60_000);
    expect(isWellFormed(markdown)).toBe(true);
    expect(markdown).toMatch(CUT_NOTE);
    expect(markdown.startsWith("### ❌ Shadow test failed")).toBe(true);
  });

  it.each([
    ["failed R task", failedRTaskRun()],
    ["60 failures", sixtyFailuresRun()],
    ["3,000 tasks", hugeRun()],
    ["hostile", hostileRun()],
  ])("never exceeds maxLength and stays well-formed, for many sizes: %s", (_name, report) => {
    const full = renderMarkdownReport(report, { maxLength: Number.MAX_SAFE_INTEGER }).length;
    const withoutLogs = renderMarkdownReport(report, { maxLength: Number.MAX_SAFE_INTEGER, maxLogLines: 0 }).length;
    for (let maxLength = 500; maxLength < Math.min(full + 1_000, 70_000); maxLength = Math.ceil(maxLength * 1.6)) {
      const markdown = renderMarkdownReport(report, { maxLength });
      expect(markdown.length, `maxLength ${maxLength}`).toBeLessThanOrEqual(maxLength);
      expect(isWellFormed(markdown), `maxLength ${maxLength}`).toBe(true);
      expect(markdown.includes("_Output cut to fit"), `maxLength ${maxLength}`).toBe(withoutLogs > maxLength);
    }
  });

  it("charts at most 100 tasks, saying so", () => {
    const markdown = renderMarkdownReport(hugeRun(), { maxLength: Number.MAX_SAFE_INTEGER, maxLogLines: 0 });
    expect(ganttOf(markdown)?.match(/ :(crit|done), t\d+/g)).toHaveLength(100);
    expect(markdown).toContain("_The chart shows 100 of 3,000 tasks: those that did not succeed, then the longest._");
  });
});

describe("renderMarkdownReportSafely", () => {
  it("renders a good report like renderMarkdownReport", () => {
    expect(renderMarkdownReportSafely(failedRTaskRun())).toBe(renderMarkdownReport(failedRTaskRun()));
  });

  it("says the report could not be rendered, and why, instead of throwing", () => {
    const broken = { ...failedRTaskRun(), environment: "pr-7 <b>@octocat</b>", dagRun: { dagId: "d", runId: "r", state: "failed" } } as unknown as ShadowReport;
    expect(() => renderMarkdownReport(broken)).toThrow();
    const onError = vi.fn();
    const markdown = renderMarkdownReportSafely(broken, { onError });
    expect(onError).toHaveBeenCalledOnce();
    expect(markdown).toMatch(/^### ⚠️ Shadow test report could not be rendered\n/);
    expect(markdown).toContain("The shadow test of pr-7 &lt;b&gt;@\u200doctocat&lt;/b&gt; failed, but its report could not be turned into markdown: ");
    expect(markdown).toContain("could not be turned into markdown: Cannot read properties of undefined");
    expect(markdown).toContain("[the Airflow UI](http://203.0.113.10:8080/dags/sales_daily/grid)");
  });

  it("falls back to GitHub's limit when the given one is not a length", () => {
    const markdown = renderMarkdownReportSafely(failedRTaskRun(), { maxLength: Number.NaN });
    expect(markdown).toContain("could not be turned into markdown: maxLength must be a length, got NaN");
  });

  it("copes with something that is not a report at all", () => {
    const markdown = renderMarkdownReportSafely(null as unknown as ShadowReport, { maxLength: 300 });
    expect(markdown).toContain("The report of a shadow test could not be turned into markdown:");
    expect(markdown.length).toBeLessThanOrEqual(300);
  });
});
