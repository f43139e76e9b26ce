/** AirflowClient against a scripted fetch: auth renewal, pagination, errors. */
import { describe, expect, it, vi } from "vitest";

import { AirflowClient } from "../../src/airflow/airflow-client.js";
import {
  AirflowAuthError,
  AirflowConnectionError,
  AirflowHttpError,
  AirflowResponseError,
  DagRunAlreadyExistsError,
  UnknownDagError,
} from "../../src/airflow/airflow-errors.js";
import { dagRun, fakeFetch, fakeJwt, json, taskInstance, tokenRoute } from "./fake-airflow-fetch.js";

const BASE = "http://airflow.test:8080/";

function clientWith(routes: Parameters<typeof fakeFetch>[0]): { client: AirflowClient; calls: ReturnType<typeof fakeFetch>["calls"] } {
  const fake = fakeFetch({ "POST /auth/token": tokenRoute(), ...routes });
  return { client: new AirflowClient({ baseUrl: BASE, username: "admin", password: "pw", fetch: fake.fetch }), calls: fake.calls };
}

const DAG = {
  dag_id: "pipeline",
  is_paused: true,
  is_stale: false,
  has_import_errors: false,
  relative_fileloc: "pipeline.py",
  last_parsed_time: "2026-01-01T00:00:00Z",
};

describe("AirflowClient auth", () => {
  it("logs in once, sends the bearer token and reuses it", async () => {
    const { client, calls } = clientWith({ "GET /api/v2/dags/pipeline": () => json(200, DAG) });
    await client.getDag("pipeline");
    await client.getDag("pipeline");
    const logins = calls.filter((c) => c.path === "/auth/token");
    expect(logins).toHaveLength(1);
    expect(logins[0]?.body).toEqual({ username: "admin", password: "pw" });
    const apiCalls = calls.filter((c) => c.path !== "/auth/token");
    expect(apiCalls.every((c) => c.headers.get("authorization")?.startsWith("Bearer "))).toBe(true);
  });

  it("shares one login between concurrent requests", async () => {
    const { client, calls } = clientWith({ "GET /api/v2/dags/pipeline": () => json(200, DAG) });
    await Promise.all([client.getDag("pipeline"), client.getDag("pipeline"), client.getDag("pipeline")]);
    expect(calls.filter((c) => c.path === "/auth/token")).toHaveLength(1);
  });

  it("renews the token after a 401 and retries once", async () => {
    let first = true;
    const { client, calls } = clientWith({
      "GET /api/v2/dags/pipeline": () => {
        if (first) {
          first = false;
          return json(401, { detail: "Token Expired" });
        }
        return json(200, DAG);
      },
    });
    expect((await client.getDag("pipeline")).dag_id).toBe("pipeline");
    expect(calls.map((c) => `${c.method} ${c.path}`)).toEqual([
      "POST /auth/token",
      "GET /api/v2/dags/pipeline",
      "POST /auth/token",
      "GET /api/v2/dags/pipeline",
    ]);
    const tokens = calls.filter((c) => c.path !== "/auth/token").map((c) => c.headers.get("authorization"));
    expect(tokens[0]).not.toBe(tokens[1]);
  });

  it("gives up with AirflowAuthError when the fresh token is rejected too", async () => {
    const { client } = clientWith({ "GET /api/v2/dags/pipeline": () => json(403, { detail: "Invalid JWT token" }) });
    await expect(client.getDag("pipeline")).rejects.toBeInstanceOf(AirflowAuthError);
  });

  it("does not treat a permission 403 as a token problem", async () => {
    const { client, calls } = clientWith({
      "PATCH /api/v2/dags/pipeline": () => json(403, { detail: "Forbidden" }),
    });
    const error = await client.unpauseDag("pipeline").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AirflowHttpError);
    expect((error as AirflowHttpError).message).toContain("admin or op role");
    expect(calls.filter((c) => c.path === "/auth/token")).toHaveLength(1);
  });

  it("renews a token shortly before it expires", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    try {
      let n = 0;
      const { client, calls } = clientWith({
        "POST /auth/token": () => json(201, { access_token: fakeJwt(`t${++n}`, Math.floor(Date.now() / 1000) + 3600) }),
        "GET /api/v2/dags/pipeline": () => json(200, DAG),
      });
      await client.getDag("pipeline");
      vi.setSystemTime(Date.now() + 3_500_000); // 100 s before expiry: still fine
      await client.getDag("pipeline");
      expect(calls.filter((c) => c.path === "/auth/token")).toHaveLength(1);
      vi.setSystemTime(Date.now() + 50_000); // 50 s before expiry: renew
      await client.getDag("pipeline");
      expect(calls.filter((c) => c.path === "/auth/token")).toHaveLength(2);
    } finally {
      vi.useRealTimers();
    }
  });

  it("reports bad credentials with what to check", async () => {
    const { client } = clientWith({ "POST /auth/token": () => json(401, { detail: "Invalid credentials" }) });
    const error = await client.getToken().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AirflowAuthError);
    expect(String(error)).toContain('user "admin"');
    expect(String(error)).toContain("Invalid credentials");
  });
});

describe("AirflowClient requests", () => {
  it("strips the trailing slash of the base URL and needs no token for health", async () => {
    const { client, calls } = clientWith({
      "GET /api/v2/monitor/health": () =>
        json(200, {
          metadatabase: { status: "healthy" },
          scheduler: { status: "healthy", latest_scheduler_heartbeat: "2026-01-01T00:00:00Z" },
          triggerer: { status: null, latest_triggerer_heartbeat: null },
          dag_processor: { status: "unhealthy", latest_dag_processor_heartbeat: null },
        }),
    });
    const health = await client.health();
    expect(client.baseUrl).toBe("http://airflow.test:8080");
    expect(health.dag_processor?.status).toBe("unhealthy");
    expect(health.triggerer.status).toBeNull();
    expect(calls.map((c) => c.path)).toEqual(["/api/v2/monitor/health"]);
    expect(calls[0]?.headers.get("authorization")).toBeNull();
  });

  it("triggers with logical_date null, conf, run id and note", async () => {
    const { client, calls } = clientWith({
      "POST /api/v2/dags/pipeline/dagRuns": () => json(200, dagRun("queued", { conf: { pr: 7 }, note: "n" })),
    });
    const run = await client.triggerDagRun({ dagId: "pipeline", runId: "run-1", conf: { pr: 7 }, note: "n" });
    expect(run.state).toBe("queued");
    expect(calls[1]?.body).toEqual({ logical_date: null, conf: { pr: 7 }, dag_run_id: "run-1", note: "n" });
  });

  it("sends an empty conf and no run id when none are given", async () => {
    const { client, calls } = clientWith({ "POST /api/v2/dags/pipeline/dagRuns": () => json(200, dagRun("queued")) });
    await client.triggerDagRun({ dagId: "pipeline" });
    expect(calls[1]?.body).toEqual({ logical_date: null, conf: {} });
  });

  it("turns a 409 on trigger into DagRunAlreadyExistsError", async () => {
    const { client } = clientWith({
      "POST /api/v2/dags/pipeline/dagRuns": () => json(409, { detail: "Unique constraint violation" }),
    });
    await expect(client.triggerDagRun({ dagId: "pipeline", runId: "run-1" })).rejects.toBeInstanceOf(DagRunAlreadyExistsError);
  });

  it("encodes run ids with + and : in the path", async () => {
    const runId = "manual__2026-01-01T00:00:00+00:00";
    const { client, calls } = clientWith({
      [`GET /api/v2/dags/pipeline/dagRuns/${encodeURIComponent(runId)}`]: () => json(200, dagRun("running", { dag_run_id: runId })),
    });
    expect((await client.getDagRun("pipeline", runId)).dag_run_id).toBe(runId);
    expect(calls[1]?.path).toContain("%2B00%3A00");
  });

  it("unpauses with update_mask=is_paused", async () => {
    const { client, calls } = clientWith({ "PATCH /api/v2/dags/pipeline": () => json(200, { ...DAG, is_paused: false }) });
    expect((await client.unpauseDag("pipeline")).is_paused).toBe(false);
    expect(calls[1]?.query.get("update_mask")).toBe("is_paused");
    expect(calls[1]?.body).toEqual({ is_paused: false });
  });

  it("reads every page of task instances even when the server caps the limit", async () => {
    const all = Array.from({ length: 7 }, (_, i) => taskInstance(`t${i}`, "success"));
    const { client, calls } = clientWith({
      "GET /api/v2/dags/pipeline/dagRuns/run-1/taskInstances": (req) => {
        const offset = Number(req.query.get("offset"));
        const limit = Math.min(Number(req.query.get("limit")), 3); // server-side cap below what we ask
        return json(200, { task_instances: all.slice(offset, offset + limit), total_entries: all.length });
      },
    });
    const tis = await client.listTaskInstances("pipeline", "run-1");
    expect(tis.map((t) => t.task_id)).toEqual(["t0", "t1", "t2", "t3", "t4", "t5", "t6"]);
    expect(calls.filter((c) => c.path.endsWith("/taskInstances")).map((c) => c.query.get("offset"))).toEqual(["0", "3", "6"]);
  });

  it("stops paginating on an empty page", async () => {
    const { client } = clientWith({
      "GET /api/v2/dags/pipeline/dagRuns/run-1/taskInstances": (req) =>
        json(200, {
          task_instances: req.query.get("offset") === "0" ? [taskInstance("a", null)] : [],
          total_entries: 5,
        }),
    });
    expect(await client.listTaskInstances("pipeline", "run-1")).toHaveLength(1);
  });

  it("names the unknown DAG, the known ones and the files that failed to import", async () => {
    const { client } = clientWith({
      "GET /api/v2/dags/pipline": () => json(404, { detail: "The Dag with ID: `pipline` was not found" }),
      "GET /api/v2/dags": () =>
        json(200, { dags: [{ ...DAG, dag_id: "zeta" }, { ...DAG, dag_id: "pipeline" }], total_entries: 2 }),
      "GET /api/v2/importErrors": () =>
        json(200, {
          import_errors: [{ filename: "broken.py", stack_trace: "Traceback…\nNameError: name 'x' is not defined\n" }],
          total_entries: 1,
        }),
    });
    const error = await client.getDag("pipline").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnknownDagError);
    const unknown = error as UnknownDagError;
    expect(unknown.availableDagIds).toEqual(["pipeline", "zeta"]);
    expect(unknown.message).toContain('no DAG "pipline"');
    expect(unknown.message).toContain("pipeline, zeta");
    expect(unknown.message).toContain("broken.py (NameError: name 'x' is not defined)");
  });

  it("wraps network failures in AirflowConnectionError", async () => {
    const refused: typeof fetch = async () => {
      throw new TypeError("fetch failed", { cause: Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:1"), { code: "ECONNREFUSED" }) });
    };
    const client = new AirflowClient({ baseUrl: BASE, username: "a", password: "b", fetch: refused });
    const error = await client.health().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AirflowConnectionError);
    expect(String(error)).toContain("ECONNREFUSED");
    expect(String(error)).toContain("api-server is running");
  });

  it("rejects a 200 that is not the expected JSON", async () => {
    const { client } = clientWith({ "GET /api/v2/monitor/health": () => new Response("<html>login</html>", { status: 200 }) });
    await expect(client.health()).rejects.toBeInstanceOf(AirflowResponseError);
  });

  it("explains a 422 with the field that failed validation", async () => {
    const { client } = clientWith({
      "GET /api/v2/dags/pipeline/dagRuns/run-1": () =>
        json(422, { detail: [{ type: "missing", loc: ["body", "logical_date"], msg: "Field required" }] }),
    });
    const error = await client.getDagRun("pipeline", "run-1").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AirflowHttpError);
    expect(String(error)).toContain("body.logical_date: Field required");
  });

  it("returns the log tail as text from structured JSON content", async () => {
    const { client, calls } = clientWith({
      "GET /api/v2/dags/pipeline/dagRuns/run-1/taskInstances/load/logs/2": () =>
        json(200, {
          content: [
            { event: "::group::Log message source details" },
            { event: "::endgroup::" },
            { timestamp: "2026-01-01T00:00:01Z", level: "info", event: "line 1" },
            { timestamp: "2026-01-01T00:00:02Z", level: "info", event: "line 2" },
            { timestamp: "2026-01-01T00:00:03Z", level: "error", event: "Task failed with exception" },
          ],
          continuation_token: null,
        }),
    });
    const tail = await client.getTaskLogTail("pipeline", "run-1", "load", 2, 2);
    expect(tail).toBe("2026-01-01T00:00:02Z INFO line 2\n2026-01-01T00:00:03Z ERROR Task failed with exception");
    expect(calls[1]?.query.get("full_content")).toBe("true");
    expect(calls[1]?.headers.get("accept")).toBe("application/json");
  });
});
