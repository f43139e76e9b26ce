import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { ShadowReport, TaskResult } from "../../src/core/shadow-report.js";
import { ANNOTATIONS_PER_REQUEST } from "../../src/bot/github/check-runs.js";
import { ENVIRONMENT, HEAD_SHA, createTestBot, installationToken, useNockGuards, type TestBot } from "./support/bot-harness.js";
import { deploymentStatus, updateCheck, updateStickyComment } from "./support/github-mocks.js";
import { seedEnvironment } from "./support/records.js";
import { sendCallback, serveHandlers } from "./support/serve-handlers.js";
import { failedRTaskRun, passedRun, rLogTail } from "../report/report-fixtures.js";

useNockGuards();

let bot: TestBot;
let server: Awaited<ReturnType<typeof serveHandlers>>;

beforeEach(async () => {
  bot = await createTestBot();
  server = await serveHandlers(bot.handlers);
});
afterEach(async () => {
  await server.close();
  bot.store.close();
});

function seedRequested() {
  const record = seedEnvironment(bot.store, {
    state: "requested",
    phase: null,
    airflowUrl: null,
    liveSince: null,
    environmentCheck: { id: 100, status: "queued", headSha: HEAD_SHA },
    deploymentState: "queued",
  });
  bot.store.putDagCheck({ environmentId: ENVIRONMENT, headSha: HEAD_SHA, dagId: "sales_daily", checkRunId: 101, status: "queued" });
  return record;
}

const send = (event: Record<string, unknown>) => sendCallback(server.url, { environment: ENVIRONMENT, commit: HEAD_SHA, ...event }, { nowMs: bot.clock.now });

function report(overrides: Partial<ShadowReport> = {}): ShadowReport {
  return { ...failedRTaskRun(), environment: ENVIRONMENT, commit: HEAD_SHA, ...overrides };
}

describe("callbacks from the pipeline", () => {
  it("walks the PR surface through phase, ready, migrations, a failed DAG run and destroyed", async () => {
    seedRequested();
    const envCheck: any[] = [];
    const dagCheck: any[] = [];
    const statuses: any[] = [];
    const comments: string[] = [];
    installationToken();

    updateCheck(100, envCheck);
    deploymentStatus(statuses);
    updateStickyComment(comments);
    expect((await send({ type: "phase", phase: "provisioning", message: "creating the CloudFormation stack" })).status).toBe(200);
    expect(envCheck[0]).toMatchObject({ status: "in_progress", output: { title: "Shadow provisioning: creating the CloudFormation stack…" } });
    expect(statuses[0]).toMatchObject({ state: "in_progress" });
    expect(bot.store.getEnvironment(ENVIRONMENT)).toMatchObject({ state: "provisioning", liveSince: bot.clock.now });

    bot.clock.now += 300_000;
    updateCheck(100, envCheck);
    deploymentStatus(statuses);
    updateStickyComment(comments);
    expect((await send({ type: "ready", airflow_url: "http://203.0.113.10:8080/", cost_per_hour_usd: 1.5 })).status).toBe(200);
    expect(envCheck[1]).toMatchObject({ status: "completed", conclusion: "success", details_url: "http://203.0.113.10:8080/", output: { title: "Shadow ready: Airflow is up" } });
    expect(envCheck[1].actions.map((action: { identifier: string }) => action.identifier)).toEqual(["destroy", "extend", "rerun"]);
    expect(statuses[1]).toMatchObject({ state: "success", environment_url: "http://203.0.113.10:8080/" });
    expect(comments[1]).toContain("[Open the Airflow UI](http://203.0.113.10:8080/)");
    expect(comments[1]).toContain("\\$0.13 so far");
    expect(comments[1]).toContain("at \\$1.50/h");

    updateCheck(101, dagCheck);
    const migrations = [{ name: "0002_add_region.sql", status: "applied", durationMs: 1200 }];
    expect((await send({ type: "migrations", migrations })).status).toBe(200);
    expect(dagCheck[0]).toMatchObject({ status: "in_progress", output: { title: "Applying migrations" } });
    expect(dagCheck[0].output.summary).toContain("0002\\_add\\_region.sql");

    updateCheck(101, dagCheck);
    updateStickyComment(comments);
    expect((await send({ type: "dag_result", report: report() })).status).toBe(200);
    const result = dagCheck[1];
    expect(result).toMatchObject({ status: "completed", conclusion: "failure", details_url: "http://203.0.113.10:8080/" });
    expect(result.output.title).toMatch(/^DAG sales_daily failed: \d+ tasks, \d+ failed$/);
    expect(result.output.text).toContain("Shadow test failed");
    expect(result.output.annotations).toEqual([
      expect.objectContaining({ path: "r/transform_sales.R", start_line: 1, end_line: 1, annotation_level: "failure", title: "Task transform_sales_r failed on try 2" }),
    ]);
    expect(result.output.annotations[0].message).toContain("Execution halted");
    expect(result.actions.map((action: { label: string }) => action.label)).toEqual(["Re-run", "Destroy", "Extend 4h"]);
    expect(bot.store.getEnvironment(ENVIRONMENT)).toMatchObject({ state: "failed", lastDagId: "sales_daily" });

    deploymentStatus(statuses);
    updateStickyComment(comments);
    expect((await send({ type: "destroyed" })).status).toBe(200);
    expect(statuses.at(-1)).toMatchObject({ state: "inactive" });
    expect(comments.at(-1)).toContain("destroyed");
    expect(bot.store.getEnvironment(ENVIRONMENT)?.state).toBe("destroyed");
  });

  it("fails the open checks and the deployment when the pipeline reports a failure", async () => {
    seedRequested();
    const envCheck: any[] = [];
    const dagCheck: any[] = [];
    const statuses: any[] = [];
    installationToken();
    updateCheck(100, envCheck);
    updateCheck(101, dagCheck);
    deploymentStatus(statuses);
    updateStickyComment([]);
    const response = await send({ type: "failed", reason: "CREATE_FAILED: Redshift cluster quota exceeded", phase: "provisioning" });
    expect(response.status).toBe(200);
    expect(envCheck[0]).toMatchObject({ conclusion: "failure", output: { title: "Shadow failed while provisioning" } });
    expect(envCheck[0].output.summary).toContain("Redshift cluster quota exceeded");
    expect(dagCheck[0]).toMatchObject({ conclusion: "failure", output: { title: "Not run: the shadow failed" } });
    expect(statuses[0]).toMatchObject({ state: "failure" });
  });

  it("passes a DAG run with a success conclusion", async () => {
    seedEnvironment(bot.store);
    bot.store.putDagCheck({ environmentId: ENVIRONMENT, headSha: HEAD_SHA, dagId: "sales_daily", checkRunId: 101, status: "in_progress" });
    const dagCheck: any[] = [];
    installationToken();
    updateCheck(101, dagCheck);
    updateStickyComment([]);
    await send({ type: "dag_result", report: { ...passedRun(), environment: ENVIRONMENT } });
    expect(dagCheck[0]).toMatchObject({ conclusion: "success", output: { title: "DAG sales_daily passed: 4 tasks" } });
    expect(dagCheck[0].output.annotations).toBeUndefined();
    expect(bot.store.getEnvironment(ENVIRONMENT)?.state).toBe("passed");
  });

  it("answers 404 for an unknown environment, 202 for an older commit, 400 for a bad payload, all without calling GitHub", async () => {
    seedEnvironment(bot.store);
    expect((await sendCallback(server.url, { type: "phase", phase: "running", environment: "nobody-pr-1" }, { nowMs: bot.clock.now })).status).toBe(404);
    const stale = await send({ type: "phase", phase: "running", commit: "0".repeat(40) });
    expect(stale).toMatchObject({ status: 202, body: { status: "ignored", reason: "stale-commit" } });
    const invalid = await send({ type: "dag_result", report: { outcome: "maybe" } });
    expect(invalid.status).toBe(400);
    expect(invalid.body.problems).toEqual(expect.arrayContaining([expect.stringContaining("report.outcome")]));
    expect((await send({ type: "ready", airflow_url: "javascript:alert(1)" })).status).toBe(400);
  });
});

describe("GitHub's limits", () => {
  function failedTask(index: number, extra: Partial<TaskResult> = {}): TaskResult {
    return { taskId: `model_${index}`, state: "failed", tryNumber: 1, scriptPath: `r/model_${index}.R`, logTail: `step ${index}\nError: boom ${index}\nExecution halted`, ...extra };
  }

  it("annotates more than 50 failed tasks in batches of 50, the last with the full output", async () => {
    seedEnvironment(bot.store);
    bot.store.putDagCheck({ environmentId: ENVIRONMENT, headSha: HEAD_SHA, dagId: "sales_daily", checkRunId: 101, status: "in_progress" });
    const tasks = Array.from({ length: 120 }, (_, i) => failedTask(i));
    const updates: any[] = [];
    installationToken();
    updateCheck(101, updates, 3);
    updateStickyComment([]);
    const run = report({ dagRun: { dagId: "sales_daily", runId: "r1", state: "failed", tasks } });
    expect((await send({ type: "dag_result", report: run })).status).toBe(200);
    expect(updates.map((update) => update.output.annotations.length)).toEqual([ANNOTATIONS_PER_REQUEST, ANNOTATIONS_PER_REQUEST, 20]);
    expect(updates.flatMap((update) => update.output.annotations.map((annotation: { path: string }) => annotation.path))).toEqual(tasks.map((task) => task.scriptPath));
    expect(updates[0].conclusion).toBeUndefined();
    expect(updates[2]).toMatchObject({ status: "completed", conclusion: "failure" });
    expect(updates[2].output.text).toContain("Shadow test failed");
  });

  it("shortens long logs with a note and cuts an oversized report to 65,535 characters with a visible note", async () => {
    seedEnvironment(bot.store);
    bot.store.putDagCheck({ environmentId: ENVIRONMENT, headSha: HEAD_SHA, dagId: "sales_daily", checkRunId: 101, status: "in_progress" });
    const tasks: TaskResult[] = [
      failedTask(0, { logTail: rLogTail(5_000) }),
      ...Array.from({ length: 1_500 }, (_, i) => ({ taskId: `a_rather_long_task_name_for_row_${i}`, state: "success" as const, tryNumber: 1, durationMs: 1000 })),
    ];
    const updates: any[] = [];
    installationToken();
    updateCheck(101, updates);
    updateStickyComment([]);
    await send({ type: "dag_result", report: report({ dagRun: { dagId: "sales_daily", runId: "r1", state: "failed", tasks } }) });
    const { output } = updates[0];
    expect(output.text.length).toBeLessThanOrEqual(65_535);
    expect(output.summary.length).toBeLessThanOrEqual(65_535);
    expect(output.text).toMatch(/Output cut to fit GitHub's 65,535-character limit; [\d,]+ characters left out/);
    expect(output.annotations[0].message).toMatch(/^Last 30 of 5000 log lines:/);
    expect(output.annotations[0].message).toContain("Execution halted");
  });

  it("keeps the log tail of a failed task in the report, with a note of how much was left out", async () => {
    seedEnvironment(bot.store);
    bot.store.putDagCheck({ environmentId: ENVIRONMENT, headSha: HEAD_SHA, dagId: "sales_daily", checkRunId: 101, status: "in_progress" });
    const updates: any[] = [];
    installationToken();
    updateCheck(101, updates);
    updateStickyComment([]);
    await send({ type: "dag_result", report: report({ dagRun: { dagId: "sales_daily", runId: "r1", state: "failed", tasks: [failedTask(0, { logTail: rLogTail(5_000) })] } }) });
    expect(updates[0].output.text).toContain("last 40 of 5,000 log lines");
  });
});
