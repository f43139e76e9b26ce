import { describe, expect, it } from "vitest";
import type { EnvironmentState } from "../../src/core/lifecycle.js";
import type { MigrationResult } from "../../src/core/migration-result.js";
import type { DagRunResult } from "../../src/core/shadow-report.js";
import type { EnvironmentRecord, ShadowDriver } from "../../src/drivers/shadow-driver.js";
import { MigrationFailedError } from "../../src/migrations/migration-errors.js";
import { EnvironmentBusyError, runShadowTest } from "../../src/shadow-test/run-shadow-test.js";

const workload = { dagsDir: "/p/dags", rDir: "/p/r", migrationsDir: "/p/migrations" };

/** A driver that records the steps it is asked to do; each step's outcome is scripted. */
function scriptedDriver(script: {
  existing?: EnvironmentState;
  migrate?: () => MigrationResult[];
  dagState?: DagRunResult["state"];
  runDag?: () => Promise<DagRunResult>;
}) {
  const calls: string[] = [];
  // Like a real driver: an environment exists from a successful up until down.
  let current: EnvironmentState | undefined = script.existing;
  const record = (state: EnvironmentState): EnvironmentRecord => ({
    name: "env",
    driver: "fake",
    state,
    createdAt: "2026-01-01T00:00:00Z",
    airflowUrl: "http://127.0.0.1:1234",
    details: {},
  });
  const driver: ShadowDriver = {
    name: "fake",
    async up() {
      calls.push("up");
      current = "configuring";
      return record("configuring");
    },
    async configure() {
      calls.push("configure");
    },
    async migrate() {
      calls.push("migrate");
      return script.migrate ? script.migrate() : [{ name: "0001.sql", status: "applied", durationMs: 1 }];
    },
    async runDag() {
      calls.push("runDag");
      if (script.runDag) return script.runDag();
      return {
        dagId: "d",
        runId: "r",
        state: script.dagState ?? "success",
        tasks: [{ taskId: "t1", state: script.dagState === "failed" ? "failed" : "success", tryNumber: 1 }],
      };
    },
    async down() {
      calls.push("down");
      current = undefined;
    },
    async get() {
      return current ? record(current) : undefined;
    },
    async list() {
      return [];
    },
  };
  return { driver, calls };
}

const run = (driver: ShadowDriver, keep = false) =>
  runShadowTest({ driver, environment: "env", workload, dagId: "d", keep, progress: () => undefined });

describe("runShadowTest", () => {
  it("runs up → migrate → DAG → down and passes", async () => {
    const { driver, calls } = scriptedDriver({});
    const report = await run(driver);
    expect(calls).toEqual(["up", "migrate", "runDag", "down"]);
    expect(report.outcome).toBe("passed");
    expect(report.airflowUrl).toBe("http://127.0.0.1:1234");
    expect(report.timings.map((t) => t.phase)).toEqual(["up", "migrate", "run", "down"]);
  });

  it("keeps the environment with keep, and re-tests a kept one warm (redeploy, no up)", async () => {
    const cold = scriptedDriver({});
    await run(cold.driver, true);
    expect(cold.calls).toEqual(["up", "migrate", "runDag"]);

    const warm = scriptedDriver({ existing: "passed" });
    await run(warm.driver, true);
    expect(warm.calls).toEqual(["configure", "migrate", "runDag"]);
  });

  it("tests an environment `shadowops up` created (left configuring) without creating it again", async () => {
    const { driver, calls } = scriptedDriver({ existing: "configuring" });
    await run(driver, true);
    expect(calls).toEqual(["configure", "migrate", "runDag"]);
  });

  it("does not run the DAG after a failed migration, and reports the file", async () => {
    const { driver, calls } = scriptedDriver({
      migrate: () => {
        throw Object.assign(new MigrationFailedError("0002_bad.sql", 'relation "x" does not exist', 3), {
          results: [
            { name: "0001_ok.sql", status: "applied", durationMs: 1 },
            { name: "0002_bad.sql", status: "failed", durationMs: 1, error: "boom" },
          ],
        });
      },
    });
    const report = await run(driver);
    expect(calls).toEqual(["up", "migrate", "down"]);
    expect(report.outcome).toBe("failed");
    expect(report.failure).toMatch(/0002_bad\.sql failed at line 3: relation "x" does not exist/);
    expect(report.migrations.map((m) => m.status)).toEqual(["applied", "failed"]);
    expect(report.dagRun).toBeUndefined();
  });

  it("names the failed tasks when the DAG fails", async () => {
    const { driver } = scriptedDriver({ dagState: "failed" });
    const report = await run(driver);
    expect(report.outcome).toBe("failed");
    expect(report.failure).toBe("DAG d failed: t1 failed");
  });

  it("tears down on an error even when asked to keep, and rethrows", async () => {
    const { driver, calls } = scriptedDriver({ runDag: () => Promise.reject(new Error("Airflow went away")) });
    await expect(run(driver, true)).rejects.toThrow("Airflow went away");
    expect(calls).toEqual(["up", "migrate", "runDag", "down"]);
  });

  it("keeps the reason a failed up gives, when up has already torn down", async () => {
    const { driver, calls } = scriptedDriver({});
    driver.up = async () => {
      calls.push("up");
      throw new Error("Airflow did not start: see its log");
    };
    await expect(run(driver)).rejects.toThrow("Airflow did not start: see its log");
    expect(calls).toEqual(["up"]);
  });

  it("reports the error that stopped the test even when teardown fails too", async () => {
    const { driver } = scriptedDriver({ runDag: () => Promise.reject(new Error("DAG run timed out")) });
    driver.down = async () => {
      throw new Error("leftover resources: shadowops-env-vpc");
    };
    const progress: string[] = [];
    const attempt = runShadowTest({ driver, environment: "env", workload, dagId: "d", keep: false, progress: (e) => progress.push(e.message) });
    await expect(attempt).rejects.toThrow("DAG run timed out");
    expect(progress.join("\n")).toMatch(/teardown after "DAG run timed out" failed too: leftover resources: shadowops-env-vpc/);
  });

  it("refuses an environment another command is building", async () => {
    const { driver, calls } = scriptedDriver({ existing: "provisioning" });
    await expect(run(driver)).rejects.toThrow(EnvironmentBusyError);
    expect(calls).toEqual([]);
  });
});
