import { describe, expect, it } from "vitest";

import { tailOfLines, taskLogTail, taskLogToLines } from "../../src/airflow/task-log-to-text.js";

describe("taskLogToLines", () => {
  it("renders Airflow 3 structured records, dropping group markers", () => {
    const lines = taskLogToLines({
      content: [
        { event: "::group::Pre Execute", timestamp: "T1", level: "info" },
        { event: "Running command", timestamp: "T2", level: "info" },
        { event: "::endgroup::", timestamp: "T3", level: "info" },
        { event: "multi\nline", timestamp: "T4", level: "warning" },
      ],
    });
    expect(lines).toEqual(["T1 INFO Pre Execute", "T2 INFO Running command", "T4 WARNING multi", "line"]);
  });

  it("renders error_detail like a Python traceback", () => {
    const lines = taskLogToLines({
      content: [
        {
          timestamp: "T",
          level: "error",
          event: "Task failed with exception",
          error_detail: [
            {
              exc_type: "AirflowException",
              exc_value: "Bash command failed. The command returned a non-zero exit code 3.",
              frames: [{ filename: "/x/bash.py", lineno: 225, name: "execute" }],
            },
          ],
        },
      ],
    });
    expect(lines).toEqual([
      "T ERROR Task failed with exception",
      '  File "/x/bash.py", line 225, in execute',
      "AirflowException: Bash command failed. The command returned a non-zero exit code 3.",
    ]);
  });

  it("reads NDJSON text", () => {
    const ndjson = '{"timestamp":null,"event":"source"}\n{"timestamp":"T","level":"info","event":"hello"}\n';
    expect(taskLogToLines(ndjson)).toEqual(["source", "T INFO hello"]);
  });

  it("reads Airflow 2 bodies: a string, or [host, text] pairs", () => {
    expect(taskLogToLines({ content: "a\nb\n" })).toEqual(["a", "b"]);
    expect(taskLogToLines({ content: [["host1", "x\ny"]] })).toEqual(["x", "y"]);
  });

  it("keeps plain text as is", () => {
    expect(taskLogToLines("plain\ntext")).toEqual(["plain", "text"]);
  });
});

describe("taskLogTail", () => {
  it("returns the last lines, ignoring trailing blank ones", () => {
    expect(taskLogTail("1\n2\n3\n4\n\n", 2)).toBe("3\n4");
    expect(tailOfLines(["a", "b"], 10)).toBe("a\nb");
    expect(tailOfLines(["a", "b"], 0)).toBe("");
  });

  it("does not mistake a log line that starts with { for JSON", () => {
    expect(tailOfLines(['{"not": "a record"}', "after"], 2)).toBe('{"not": "a record"}\nafter');
  });
});
