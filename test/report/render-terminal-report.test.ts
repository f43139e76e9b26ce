import { describe, expect, it } from "vitest";
import { renderTerminalReport } from "../../src/report/render-terminal-report.js";
import { failedMigrationRun, failedRTaskRun, passedRun } from "./report-fixtures.js";

const ESC = "\u001b";
const lines = (text: string) => text.split("\n");
/** The first indented line (a table or list row, not the header) that contains `needle`. */
const lineWith = (text: string, needle: string) => lines(text).find((line) => line.startsWith("  ") && line.includes(needle));

describe("renderTerminalReport", () => {
  it.each([
    ["passed run", passedRun(), ["Shadow test  PASSED", "Environment  shadow-acme-sales-pr-42", "Driver       aws", "Airflow      http://203.0.113.10:8080/dags/sales_daily/grid"]],
    ["failed R task", failedRTaskRun(), ["Shadow test  FAILED", "Why          Task transform_sales_r failed on try 2."]],
    ["failed migration", failedMigrationRun(), ["Shadow test  FAILED", "Driver       local", "Why          Migration 0003_add_index.sql failed; the DAG did not run."]],
  ])("header of a %s", (_name, report, expected) => {
    const header = lines(renderTerminalReport(report)).slice(0, 8);
    for (const line of expected) expect(header).toContain(line);
  });

  it("aligns the task table in columns", () => {
    const output = renderTerminalReport(passedRun());
    const table = lines(output).filter((line) => /^ {2}(TASK|extract|transform|load|validate)/.test(line));
    expect(table).toHaveLength(5);
    for (const column of ["STATE", "TRY", "STARTED (UTC)", "DURATION"]) {
      const at = table[0]!.indexOf(column);
      for (const row of table.slice(1)) expect(row[at - 1], `${column} in "${row}"`).toBe(" ");
      for (const row of table.slice(1)) expect(row[at], `${column} in "${row}"`).not.toBe(" ");
    }
    expect(lineWith(output, "validate_outputs")).toMatch(/validate_outputs +success +1 +09:34:22 +1 h 02 min$/);
  });

  it("shows a failed task's state, try and indented log tail", () => {
    const output = renderTerminalReport(failedRTaskRun());
    expect(lineWith(output, "transform_sales_r")).toMatch(/transform_sales_r +failed +2 +09:30:14 +4 min 05 s$/);
    expect(output).toContain("Log of transform_sales_r (failed, try 2), last 40 of 300 lines:");
    const log = output.slice(output.indexOf("Log of transform_sales_r"));
    const logLines = lines(log).slice(1, 41);
    expect(logLines.every((line) => line.startsWith("    "))).toBe(true);
    expect(logLines.at(-1)).toBe("    Execution halted");
    expect(output).not.toContain("model step 259:");
  });

  it("lists migrations with the failed one's error, and says the DAG did not run", () => {
    const output = renderTerminalReport(failedMigrationRun());
    expect(lineWith(output, "0003_add_index.sql")).toMatch(/^ {2}failed +0003_add_index\.sql +310 ms$/);
    expect(lineWith(output, "0004_backfill_region.sql")).toMatch(/^ {2}not_run +0004_backfill_region\.sql$/);
    expect(output).toContain('      ERROR:  column "regoin" does not exist\n      LINE 1:');
    expect(output).toContain("The DAG did not run.");
    expect(output).not.toContain("TASK");
  });

  it("ends with the phase timings", () => {
    expect(renderTerminalReport(passedRun()).trimEnd().split("\n").at(-1)).toBe(
      "Phases: provisioning 4 min 05 s, configuring 1 min 02 s, migrating 4.2 s, running 12 min 03 s (total 17 min 14 s)",
    );
  });

  it("is plain by default and colors outcome and states on request", () => {
    expect(renderTerminalReport(failedRTaskRun())).not.toContain(ESC);
    const colored = renderTerminalReport(failedRTaskRun(), { color: true });
    expect(colored).toContain(`${ESC}[31mFAILED${ESC}[0m`);
    expect(colored).toContain(`${ESC}[32msuccess${ESC}[0m`);
    expect(lineWith(colored, "transform_sales_r")).toContain(`${ESC}[31mfailed${ESC}[0m`);
    expect(renderTerminalReport(passedRun(), { color: true })).toContain(`${ESC}[32mPASSED${ESC}[0m`);
  });

  it("keeps escape sequences from logs and ids out of the terminal, and credentials out of URLs", () => {
    const report = failedRTaskRun();
    report.airflowUrl = "https://admin:s3cret@airflow.example.com/home";
    report.dagRun!.tasks[1]!.taskId = "evil\u001b]0;owned\u0007_task";
    report.dagRun!.tasks[1]!.logTail = "\u001b[2J\u001b[31mred\u001b[0m text\r\nnext";
    const output = renderTerminalReport(report);
    expect(output).not.toContain(ESC);
    expect(output).not.toContain("s3cret");
    expect(output).toContain("Airflow      https://airflow.example.com/home");
    expect(output).toContain("Log of evil_task (failed, try 2):\n    red text\n    next\n");
  });

  it("shows fewer log lines on request", () => {
    const output = renderTerminalReport(failedRTaskRun(), { maxLogLines: 3 });
    expect(output).toContain("last 3 of 300 lines:\n    [2025-01-14 09:37:00] INFO - model step 297: rows=297000\n");
    expect(output).not.toContain("Backtrace");
  });
});
