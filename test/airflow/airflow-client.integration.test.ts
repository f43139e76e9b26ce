/**
 * Exercises the Airflow client against a real Airflow 3 (api-server, scheduler, dag-processor,
 * triggerer) started in a temporary AIRFLOW_HOME on free ports.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { AirflowClient } from "../../src/airflow/airflow-client.js";
import { AirflowAuthError, UnknownDagError } from "../../src/airflow/airflow-errors.js";
import type { DagRun, TaskInstance } from "../../src/airflow/airflow-types.js";
import { waitForDagRun } from "../../src/airflow/wait-for-dag-run.js";
import { startTestAirflow, type TestAirflow } from "./start-test-airflow.js";

const DAG_ID = "shadowops_smoke";
const FAILURE_MARKER = "BOOM-shadowops-expected-failure";

const SMOKE_DAG = `
from datetime import datetime

from airflow.providers.standard.operators.bash import BashOperator
from airflow.sdk import DAG

with DAG(dag_id="${DAG_ID}", schedule=None, start_date=datetime(2024, 1, 1), catchup=False):
    passing = BashOperator(
        task_id="passing",
        bash_command='echo "marker from conf: {{ dag_run.conf.get(\\'marker\\', \\'none\\') }}"',
    )
    failing = BashOperator(
        task_id="failing",
        bash_command='echo "${FAILURE_MARKER} on stdout"; echo "and on stderr" >&2; exit 3',
        retries=0,
    )
    passing >> failing
`;

describe("AirflowClient against a real Airflow 3", () => {
  let airflow: TestAirflow;
  let client: AirflowClient;

  beforeAll(async () => {
    airflow = await startTestAirflow({ dagFiles: { "shadowops_smoke.py": SMOKE_DAG } });
    client = new AirflowClient({ baseUrl: airflow.baseUrl, username: airflow.username, password: airflow.password });
  }, 240_000);

  afterAll(async () => {
    await airflow?.stop();
  }, 60_000);

  it("gets a token and caches it", async () => {
    const token = await client.getToken();
    expect(token.split(".")).toHaveLength(3);
    expect(await client.getToken()).toBe(token);
  });

  it("re-parses a DAG file on request, long before its next scheduled pass", async () => {
    const before = (await client.getDag(DAG_ID)).last_parsed_time!;
    await client.requestReparse(DAG_ID);
    let after = before;
    // The scheduled pass comes only every 30 s (min_file_process_interval).
    for (let i = 0; i < 40 && after === before; i++) {
      await new Promise((resolve) => setTimeout(resolve, 500));
      after = (await client.getDag(DAG_ID)).last_parsed_time!;
    }
    expect(new Date(after).getTime()).toBeGreaterThan(new Date(before).getTime());
  });

  it("rejects a wrong password with AirflowAuthError", async () => {
    const wrong = new AirflowClient({ baseUrl: airflow.baseUrl, username: airflow.username, password: "wrong" });
    const error = await wrong.getToken().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AirflowAuthError);
    expect((error as AirflowAuthError).status).toBe(401);
    expect((error as AirflowAuthError).message).toContain("simple_auth_manager_passwords_file");
  });

  it("renews a token the API rejects", async () => {
    let requests = 0;
    let tampered = 0;
    const tamperingFetch: typeof fetch = async (input, init) => {
      requests++;
      const headers = new Headers(init?.headers);
      if (headers.get("Authorization") && tampered === 0) {
        tampered++;
        headers.set("Authorization", "Bearer not.a.valid-token");
      }
      return fetch(input, { ...init, headers });
    };
    const fresh = new AirflowClient({ ...airflow, fetch: tamperingFetch });
    const dag = await fresh.getDag(DAG_ID);
    expect(dag.dag_id).toBe(DAG_ID);
    expect(tampered).toBe(1);
    expect(requests).toBe(4); // token, rejected call, new token, retried call
  });

  it("reports scheduler and dag processor healthy", async () => {
    const health = await client.health();
    expect(health.metadatabase.status).toBe("healthy");
    expect(health.scheduler.status).toBe("healthy");
    expect(health.dag_processor?.status).toBe("healthy");
  });

  it("names the unknown DAG and lists the available ones", async () => {
    const error = await client.getDag("no_such_dag").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnknownDagError);
    const unknown = error as UnknownDagError;
    expect(unknown.dagId).toBe("no_such_dag");
    expect(unknown.availableDagIds).toContain(DAG_ID);
    expect(unknown.message).toContain('"no_such_dag"');
    expect(unknown.message).toContain(DAG_ID);
  });

  describe("a triggered run with a passing and a failing task", () => {
    const runId = `shadowops_test_${Date.now()}`;
    let triggered: DagRun;
    let final: DagRun;
    let tasks: TaskInstance[];
    const events: string[] = [];

    beforeAll(async () => {
      const dag = await client.getDag(DAG_ID);
      expect(dag.is_paused).toBe(true); // new DAGs start paused
      expect((await client.unpauseDag(DAG_ID)).is_paused).toBe(false);

      triggered = await client.triggerDagRun({
        dagId: DAG_ID,
        runId,
        conf: { marker: "conf-xyz-123" },
        note: "from the ShadowOps test",
      });
      const result = await waitForDagRun({
        client,
        dagId: DAG_ID,
        runId,
        timeoutMs: 120_000,
        backoff: { initialDelayMs: 200, maxDelayMs: 1_000 },
        onTaskChange: (ti, previous) => {
          events.push(`${ti.task_id}: ${previous ?? "-"} -> ${ti.state ?? "-"}`);
        },
      });
      final = result.dagRun;
      tasks = result.taskInstances;
    }, 150_000);

    it("returns the new run with its conf and a null logical date", () => {
      expect(triggered.dag_run_id).toBe(runId);
      expect(triggered.logical_date).toBeNull();
      expect(triggered.conf).toEqual({ marker: "conf-xyz-123" });
      expect(triggered.note).toBe("from the ShadowOps test");
      expect(["queued", "running"]).toContain(triggered.state);
    });

    it("waits until the run fails and reports task state changes", () => {
      expect(final.state).toBe("failed");
      expect(final.end_date).not.toBeNull();
      // passing finished before failing started: its success is reported first
      const passed = events.findIndex((e) => e.startsWith("passing:") && e.endsWith("-> success"));
      const failed = events.findIndex((e) => e.startsWith("failing:") && e.endsWith("-> failed"));
      expect(passed, events.join("\n")).toBeGreaterThanOrEqual(0);
      expect(failed, events.join("\n")).toBeGreaterThan(passed);
      // each event is a real change
      expect(events.every((e) => !/: (\S+) -> \1$/.test(e))).toBe(true);
    });

    it("lists task instances with state, try number, dates and duration", async () => {
      const byId = new Map(tasks.map((t) => [t.task_id, t]));
      const failing = byId.get("failing");
      const passing = byId.get("passing");
      expect(passing?.state).toBe("success");
      expect(failing?.state).toBe("failed");
      expect(failing?.try_number).toBe(1);
      expect(failing?.max_tries).toBe(0);
      expect(failing?.operator).toBe("BashOperator");
      expect(failing?.start_date).not.toBeNull();
      expect(failing?.end_date).not.toBeNull();
      expect(typeof failing?.duration).toBe("number");

      // one task per page: pagination must still return both
      const paged = await client.listTaskInstances(DAG_ID, runId, { pageSize: 1 });
      expect(paged.map((t) => t.task_id).sort()).toEqual(["failing", "passing"]);
    });

    it("returns the tail of the failing task's log as plain text", async () => {
      const tail = await client.getTaskLogTail(DAG_ID, runId, "failing", 1, 40);
      expect(tail).toContain(`${FAILURE_MARKER} on stdout`);
      expect(tail).toContain("and on stderr");
      expect(tail).toMatch(/exit code 3|return code 3/);
      expect(tail).not.toContain("::group::");
      expect(tail).not.toContain('{"');
      expect(tail.split("\n").length).toBeLessThanOrEqual(40);

      const last2 = await client.getTaskLogTail(DAG_ID, runId, "failing", 1, 2);
      expect(last2.split("\n")).toHaveLength(2);

      const passingLog = await client.getTaskLogTail(DAG_ID, runId, "passing", 1, 100);
      expect(passingLog).toContain("marker from conf: conf-xyz-123");
    });
  });
});
