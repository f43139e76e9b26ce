import type { ShadowReport, TaskResult } from "../../src/core/shadow-report.js";

/** Realistic ShadowReports for the rendering tests. */

const RUN_START = Date.parse("2025-01-14T09:30:00Z");
const at = (offsetMs: number) => new Date(RUN_START + offsetMs).toISOString();

function task(taskId: string, state: TaskResult["state"], startOffsetMs: number, durationMs: number, extra: Partial<TaskResult> = {}): TaskResult {
  return {
    taskId,
    state,
    tryNumber: 1,
    startedAt: at(startOffsetMs),
    endedAt: at(startOffsetMs + durationMs),
    durationMs,
    ...extra,
  };
}

const timings = [
  { phase: "provisioning", durationMs: 245_000 },
  { phase: "configuring", durationMs: 62_000 },
  { phase: "migrating", durationMs: 4_200 },
  { phase: "running", durationMs: 723_000 },
];

export function passedRun(): ShadowReport {
  return {
    environment: "shadow-acme-sales-pr-42",
    driver: "aws",
    airflowUrl: "http://203.0.113.10:8080/dags/sales_daily/grid",
    repository: "acme/sales-pipeline",
    commit: "4f3c2b1a0e9d8c7b6a5f4e3d2c1b0a9f8e7d6c5b",
    outcome: "passed",
    migrations: [
      { name: "0001_create_sales.sql", status: "skipped", durationMs: 0 },
      { name: "0002_add_region_column.sql", status: "applied", durationMs: 1_240 },
    ],
    dagRun: {
      dagId: "sales_daily",
      runId: "shadow__2025-01-14T09:30:00+00:00",
      state: "success",
      startedAt: at(0),
      endedAt: at(723_000),
      durationMs: 723_000,
      tasks: [
        task("extract_sales", "success", 1_000, 12_300),
        task("transform_sales_r", "success", 14_000, 245_000, { scriptPath: "r/transform_sales.R" }),
        task("load_warehouse", "success", 260_000, 850),
        task("validate_outputs", "success", 262_000, 3_725_000),
      ],
    },
    timings,
  };
}

/** 300 lines of an R task's log with backtick runs, a `</details>` and HTML in it. */
export function rLogTail(lines = 300): string {
  return Array.from({ length: lines }, (_, i) => {
    if (i === lines - 5) return "Error in `fit_model()`: ```` fenced ```` inside the log </details> <script>alert(1)</script>";
    if (i === lines - 4) return "  Backtrace: ``` and `` and ``````";
    if (i === lines - 1) return "Execution halted";
    return `[2025-01-14 09:3${i % 10}:00] INFO - model step ${i}: rows=${i * 1000}`;
  }).join("\n");
}

export function failedRTaskRun(): ShadowReport {
  const report = passedRun();
  const dagRun = report.dagRun!;
  return {
    ...report,
    outcome: "failed",
    failure: "Task transform_sales_r failed on try 2.",
    dagRun: {
      ...dagRun,
      state: "failed",
      tasks: [
        dagRun.tasks[0]!,
        task("transform_sales_r", "failed", 14_000, 245_000, { tryNumber: 2, logTail: rLogTail(), scriptPath: "r/transform_sales.R" }),
        { taskId: "load_warehouse", state: "upstream_failed", tryNumber: 0 },
        { taskId: "validate_outputs", state: "upstream_failed", tryNumber: 0 },
      ],
    },
  };
}

export function failedMigrationRun(): ShadowReport {
  return {
    environment: "shadow-acme-sales-pr-43",
    driver: "local",
    outcome: "failed",
    failure: "Migration 0003_add_index.sql failed; the DAG did not run.",
    migrations: [
      { name: "0001_create_sales.sql", status: "skipped", durationMs: 0 },
      { name: "0002_add_region_column.sql", status: "applied", durationMs: 1_240 },
      {
        name: "0003_add_index.sql",
        status: "failed",
        durationMs: 310,
        error: 'ERROR:  column "regoin" does not exist\nLINE 1: CREATE INDEX sales_region ON sales (regoin);\n                                               ^',
      },
      { name: "0004_backfill_region.sql", status: "not_run", durationMs: 0 },
    ],
    timings: timings.slice(0, 3),
  };
}

/** User-controlled fields carrying markdown, HTML and mention attacks. */
export function hostileRun(): ShadowReport {
  const report = failedRTaskRun();
  const dagRun = report.dagRun!;
  return {
    ...report,
    environment: "pr-1 <script>alert('env')</script>",
    failure: "Click [here](javascript:alert(1)) and ping @acme/data-team about #12 | now",
    migrations: [{ name: "0001_<img src=x onerror=alert(1)>.sql", status: "failed", durationMs: 5, error: "syntax error at `|` near @admin" }],
    dagRun: {
      ...dagRun,
      dagId: "sales#daily; %% x",
      tasks: [
        task("load|sales @octocat <script>alert(1)</script>", "failed", 0, 1_000, { tryNumber: 2, logTail: "boom\n</details>\n```\nstill inside" }),
        task("gantt", "success", 1_000, 1_000),
        task("a:b#c;d\ne", "success", 2_000, 1_000),
      ],
    },
  };
}

/** 3,000 tasks, every tenth failed with a huge log: too big for GitHub even without logs. */
export function hugeRun(): ShadowReport {
  const report = failedRTaskRun();
  const bigLog = Array.from({ length: 2_000 }, (_, i) => `row ${i} ${"x".repeat(200)}`).join("\n");
  return {
    ...report,
    dagRun: {
      ...report.dagRun!,
      tasks: Array.from({ length: 3_000 }, (_, i) =>
        i % 10 === 3
          ? task(`model_partition_${String(i).padStart(4, "0")}`, "failed", i * 1_000, 5_000, { tryNumber: 2, logTail: bigLog })
          : task(`model_partition_${String(i).padStart(4, "0")}`, "success", i * 1_000, 900),
      ),
    },
  };
}

/** 60 failed tasks with 300-line logs: fits once the logs are shortened. */
export function sixtyFailuresRun(): ShadowReport {
  const report = failedRTaskRun();
  return {
    ...report,
    failure: "60 tasks failed.",
    dagRun: {
      ...report.dagRun!,
      tasks: Array.from({ length: 60 }, (_, i) =>
        task(`score_region_${i + 1}`, "failed", i * 2_000, 30_000, { tryNumber: 2, logTail: rLogTail() }),
      ),
    },
  };
}
