/** waitForDagRun and waitForHealthy with a scripted client and a fake clock (no real waiting). */
import { describe, expect, it } from "vitest";

import {
  AirflowConnectionError,
  AirflowHttpError,
  AirflowNotHealthyError,
  AirflowProcessExitedError,
  DagRunTimeoutError,
} from "../../src/airflow/airflow-errors.js";
import type { DagRun, HealthInfo, TaskInstance } from "../../src/airflow/airflow-types.js";
import type { Clock } from "../../src/airflow/poll-backoff.js";
import { waitForDagRun } from "../../src/airflow/wait-for-dag-run.js";
import { waitForHealthy } from "../../src/airflow/wait-for-healthy.js";
import { dagRun, taskInstance } from "./fake-airflow-fetch.js";

function fakeClock(): Clock & { sleeps: number[] } {
  let now = 0;
  const sleeps: number[] = [];
  return {
    sleeps,
    now: () => now,
    sleep: async (ms) => {
      sleeps.push(ms);
      now += ms;
    },
  };
}

type Step = { run: Record<string, unknown>; tasks: Record<string, unknown>[] } | Error;

function scriptedClient(steps: Step[]): {
  getDagRun: (dagId: string, runId: string) => Promise<DagRun>;
  listTaskInstances: (dagId: string, runId: string) => Promise<TaskInstance[]>;
} {
  let i = 0;
  let current: Step | undefined;
  return {
    getDagRun: async () => {
      current = steps[Math.min(i++, steps.length - 1)];
      if (current === undefined) throw new Error("no steps");
      if (current instanceof Error) throw current;
      return current.run as unknown as DagRun;
    },
    listTaskInstances: async () => {
      if (current === undefined || current instanceof Error) throw new Error("unexpected");
      return current.tasks as unknown as TaskInstance[];
    },
  };
}

describe("waitForDagRun", () => {
  it("reports each task state change once and returns the terminal run", async () => {
    const client = scriptedClient([
      { run: dagRun("queued"), tasks: [taskInstance("a", null), taskInstance("b", null)] },
      { run: dagRun("running"), tasks: [taskInstance("a", "running"), taskInstance("b", null)] },
      { run: dagRun("running"), tasks: [taskInstance("a", "running"), taskInstance("b", null)] },
      { run: dagRun("running"), tasks: [taskInstance("a", "success"), taskInstance("b", "queued")] },
      { run: dagRun("failed"), tasks: [taskInstance("a", "success"), taskInstance("b", "failed")] },
    ]);
    const events: string[] = [];
    const runStates: string[] = [];
    const clock = fakeClock();
    const result = await waitForDagRun({
      client,
      dagId: "pipeline",
      runId: "run-1",
      timeoutMs: 60_000,
      clock,
      onTaskChange: (ti, previous) => {
        events.push(`${ti.task_id} ${previous ?? "none"}->${ti.state ?? "none"}`);
      },
      onRunStateChange: (run, previous) => {
        runStates.push(`${previous ?? "none"}->${run.state}`);
      },
    });
    expect(result.dagRun.state).toBe("failed");
    expect(events).toEqual(["a none->running", "a running->success", "b none->queued", "b queued->failed"]);
    expect(runStates).toEqual(["none->queued", "queued->running", "running->failed"]);
    // backoff: grows while nothing changes (poll 3), resets after a change
    expect(clock.sleeps).toEqual([500, 500, 750, 500]);
  });

  it("times out with the unfinished tasks named", async () => {
    const client = scriptedClient([
      { run: dagRun("running"), tasks: [taskInstance("a", "success"), taskInstance("b", "queued"), taskInstance("c", null)] },
    ]);
    const clock = fakeClock();
    const error = await waitForDagRun({
      client,
      dagId: "pipeline",
      runId: "run-1",
      timeoutMs: 30_000,
      clock,
      backoff: { initialDelayMs: 1_000, maxDelayMs: 4_000, factor: 2 },
      runUrl: "http://airflow/dags/pipeline/runs/run-1",
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DagRunTimeoutError);
    const timeout = error as DagRunTimeoutError;
    expect(timeout.lastState).toBe("running");
    expect(timeout.unfinishedTasks.map((t) => t.task_id)).toEqual(["b", "c"]);
    expect(timeout.message).toContain("within 30.0 s");
    expect(timeout.message).toContain("b (queued), c (no status)");
    expect(timeout.message).toContain("http://airflow/dags/pipeline/runs/run-1");
    expect(Math.max(...clock.sleeps)).toBe(4_000); // capped
    expect(clock.now()).toBe(30_000); // the last sleep stops at the deadline
  });

  it("rides out a few unreachable polls but not a 404", async () => {
    const down = new AirflowConnectionError("http://x", "ECONNREFUSED");
    const ok = await waitForDagRun({
      client: scriptedClient([down, down, { run: dagRun("success"), tasks: [] }]),
      dagId: "pipeline",
      runId: "run-1",
      timeoutMs: 60_000,
      clock: fakeClock(),
    });
    expect(ok.dagRun.state).toBe("success");

    const notFound = new AirflowHttpError("GET", "http://x", 404, "not found");
    await expect(
      waitForDagRun({ client: scriptedClient([notFound]), dagId: "p", runId: "r", timeoutMs: 60_000, clock: fakeClock() }),
    ).rejects.toBe(notFound);

    await expect(
      waitForDagRun({
        client: scriptedClient([down]),
        dagId: "p",
        runId: "r",
        timeoutMs: 60_000,
        clock: fakeClock(),
        maxConsecutiveErrors: 3,
      }),
    ).rejects.toBe(down);
  });
});

const HEALTHY: HealthInfo = {
  metadatabase: { status: "healthy" },
  scheduler: { status: "healthy", latest_scheduler_heartbeat: "T" },
  triggerer: { status: null, latest_triggerer_heartbeat: null },
  dag_processor: { status: "healthy", latest_dag_processor_heartbeat: "T" },
};

describe("waitForHealthy", () => {
  it("polls through connection errors until the required components are healthy, then warms up", async () => {
    const answers: (HealthInfo | Error)[] = [
      new AirflowConnectionError("http://x", "ECONNREFUSED"),
      { ...HEALTHY, scheduler: { status: "unhealthy", latest_scheduler_heartbeat: null } },
      HEALTHY,
    ];
    let warmed = 0;
    let polls = 0;
    let warmedAtPoll = 0;
    const health = await waitForHealthy({
      client: {
        baseUrl: "http://x",
        health: async () => {
          polls++;
          const next = answers.shift();
          if (next === undefined) throw new Error("polled too often");
          if (next instanceof Error) throw next;
          return next;
        },
        warmUpExecutionApi: async () => {
          warmed++;
          warmedAtPoll = polls;
          return true;
        },
      },
      timeoutMs: 10_000,
      clock: fakeClock(),
    });
    expect(health.scheduler.status).toBe("healthy");
    expect(warmed).toBe(1);
    expect(warmedAtPoll).toBe(2); // started at the first answer, while the scheduler was still unhealthy
  });

  it("fails early when a watched process died", async () => {
    let polls = 0;
    const error = await waitForHealthy({
      client: {
        baseUrl: "http://x",
        health: async () => {
          polls++;
          throw new AirflowConnectionError("http://x", "ECONNREFUSED");
        },
      },
      timeoutMs: 60_000,
      clock: fakeClock(),
      isAlive: () => (polls < 2 ? true : { alive: false, reason: "airflow scheduler stopped (exit code 1)" }),
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AirflowProcessExitedError);
    expect(String(error)).toContain("airflow scheduler stopped (exit code 1)");
    expect(polls).toBe(2);
  });

  it("times out naming the components that are not healthy", async () => {
    const error = await waitForHealthy({
      client: {
        baseUrl: "http://x",
        health: async () => ({ ...HEALTHY, dag_processor: { status: null, latest_dag_processor_heartbeat: null } }),
      },
      timeoutMs: 5_000,
      clock: fakeClock(),
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AirflowNotHealthyError);
    expect((error as AirflowNotHealthyError).unhealthyComponents).toEqual(["dag_processor (never started)"]);
    expect(String(error)).toContain("did not become healthy within 5.0 s");
  });

  it("times out saying the api-server never answered", async () => {
    const error = await waitForHealthy({
      client: {
        baseUrl: "http://x",
        health: async () => {
          throw new AirflowConnectionError("http://x/api/v2/monitor/health", "ECONNREFUSED");
        },
      },
      timeoutMs: 3_000,
      clock: fakeClock(),
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AirflowNotHealthyError);
    expect(String(error)).toContain("never answered");
    expect(String(error)).toContain("ECONNREFUSED");
  });
});
