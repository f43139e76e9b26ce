/**
 * The CLI end to end on this machine: real PostgreSQL, real Airflow 3, real R. One Airflow
 * is started cold and then re-used warm for several scenarios, because each start costs
 * tens of seconds on two cores.
 */
import { execFileSync } from "node:child_process";
import { appendFileSync, chmodSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WarehouseClone } from "../../src/drivers/local/warehouse-clone.js";
import { postgresSettingsFromEnv } from "../../src/warehouse/postgres-settings.js";
import { databaseNameFor } from "../../src/core/environment-name.js";
import { environmentNameInThisCheckout } from "../support/checkout-environment-names.js";
import { databaseExists, dropLeftoverDatabases, expectNothingLeft } from "../support/leftovers.js";
import { REPO_ROOT, runCli, startCli } from "../support/run-cli.js";

const home = mkdtempSync(join(tmpdir(), "shadowops-cli-test-"));
const env = { SHADOWOPS_HOME: home, SHADOWOPS_TASK_RETRIES: "0" };

/** A copy of the repo's workload that a test may break. */
function projectCopy(name: string): string {
  const dir = join(home, "projects", name);
  for (const part of ["dags", "r", "migrations"]) cpSync(join(REPO_ROOT, part), join(dir, part), { recursive: true });
  return dir;
}

/** The environments these tests bring up. */
const WARM = environmentNameInThisCheckout("warm");
const INTERRUPTED = environmentNameInThisCheckout("interrupted");
const NOSTART = environmentNameInThisCheckout("nostart");
const SILENT = environmentNameInThisCheckout("silent");
const TERMINATED = environmentNameInThisCheckout("terminated");
const PORTY = environmentNameInThisCheckout("porty");
const ENVIRONMENTS = [WARM, INTERRUPTED, NOSTART, SILENT, TERMINATED, PORTY];

beforeAll(async () => {
  execFileSync("npm", ["run", "--silent", "build"], { cwd: REPO_ROOT, stdio: "inherit" });
  await dropLeftoverDatabases(ENVIRONMENTS);
});

afterAll(async () => {
  // Belt and braces: if a test failed half-way, do not leave Airflow running.
  for (const name of ENVIRONMENTS) {
    await runCli(["down", "--env", name], env);
  }
  rmSync(home, { recursive: true, force: true });
});

// Starting Airflow takes 25–60 s on two cores; a cold test run about twice that.
const AIRFLOW_TEST_TIMEOUT = 420_000;

describe("shadowops test, cold then warm", { timeout: AIRFLOW_TEST_TIMEOUT }, () => {
  const project = projectCopy("warm");

  it("runs the reference DAG cold, reports every task, and keeps the environment with --keep", async () => {
    const markdown = join(home, "report.md");
    const result = await runCli(["test", "--env", WARM, "--keep", "--project", project, "--markdown", markdown], env);

    expect(result.stderr).toContain("warehouse copied in");
    expect(result.stderr).toMatch(/validate_outputs: [a-z_]+ → success/);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/PASSED/);
    expect(result.stdout).toMatch(/Airflow\s+http:\/\/127\.0\.0\.1:\d+/);
    for (const task of ["check_sources", "compute_daily_revenue", "compute_customer_value", "validate_outputs"]) {
      expect(result.stdout).toMatch(new RegExp(`${task}\\s+success\\s+1`));
    }
    expect(result.stdout).toMatch(/applied\s+0001_create_analytics_schema\.sql/);
    const check = readFileSync(markdown, "utf8");
    expect(check).toMatch(/\| validate\\_outputs \| ✅ success \| 1 \|/);
    expect(check).toContain("```mermaid");

    const status = await runCli(["status", "--env", WARM, "--json"], env);
    expect(status.code).toBe(0);
    const parsed = JSON.parse(status.stdout) as { state: string; processes: Record<string, boolean> };
    expect(parsed.state).toBe("passed");
    expect(parsed.processes).toEqual({ "api-server": true, scheduler: true, "dag-processor": true, triggerer: true });
  });

  it("re-tests warm: redeploys changed R code, and a failing task shows its try and log tail", async () => {
    appendFileSync(
      join(project, "r", "compute_daily_revenue.R"),
      '\nstop("deliberate failure: revenue model rejected")\n',
    );

    const result = await runCli(["test", "--env", WARM, "--keep", "--project", project, "--json"], env);

    expect(result.code, result.stderr).toBe(1);
    // Progress goes to stderr even with --json (a CI step must not look hung); stdout is the JSON alone.
    expect(result.stderr).toMatch(/configure\s+deploying DAGs, R scripts and migrations/);
    expect(result.stderr).toMatch(/compute_daily_revenue: [a-z_]+ → failed/);
    const report = JSON.parse(result.stdout) as {
      outcome: string;
      failure: string;
      timings: { phase: string }[];
      migrations: { name: string; status: string }[];
      dagRun: { tasks: { taskId: string; state: string; tryNumber: number; logTail?: string }[] };
    };
    expect(report.outcome).toBe("failed");
    expect(report.timings.map((t) => t.phase)).toEqual(["configure", "migrate", "run"]);
    expect(report.migrations.every((m) => m.status === "skipped")).toBe(true);
    const failed = report.dagRun.tasks.find((t) => t.taskId === "compute_daily_revenue")!;
    expect(failed.state).toBe("failed");
    expect(failed.tryNumber).toBe(1);
    expect(failed.logTail).toContain("deliberate failure: revenue model rejected");
    expect(report.dagRun.tasks.find((t) => t.taskId === "validate_outputs")!.state).toBe("upstream_failed");
    expect(report.failure).toMatch(/compute_daily_revenue/);
  });

  it("reports a failing migration by file and database error, and does not run the DAG", async () => {
    writeFileSync(join(project, "migrations", "0004_broken.sql"), "ALTER TABLE analytics.no_such_table ADD COLUMN x INT;\n");

    const result = await runCli(["test", "--env", WARM, "--keep", "--project", project], env);

    expect(result.code, result.stderr).toBe(1);
    expect(result.stdout).toMatch(/FAILED/);
    expect(result.stdout).toContain("0004_broken.sql");
    expect(result.stdout).toContain('relation "analytics.no_such_table" does not exist');
    expect(result.stderr).not.toMatch(/triggered/);
    rmSync(join(project, "migrations", "0004_broken.sql"));
  });

  it("explains an unknown DAG id, lists the known ones, and tears the environment down", async () => {
    const result = await runCli(["test", "--env", WARM, "--project", project, "--dag", "no_such_dag"], env);

    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr).toMatch(/no_such_dag/);
    expect(result.stderr).toMatch(/warehouse_metrics/);
    await expectNothingLeft(home, WARM);
    expect((await runCli(["list", "--json"], env)).stdout.trim()).toBe("[]");
  });
});

describe("bad input and faults", { timeout: AIRFLOW_TEST_TIMEOUT }, () => {
  it("names an unknown environment", async () => {
    const result = await runCli(["down", "--env", "nowhere"], env);
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr).toMatch(/there is no environment named nowhere/);
  });

  it("rejects an invalid environment name before creating anything", async () => {
    const result = await runCli(["up", "--env", "Bad_Name"], env);
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr).toMatch(/"Bad_Name" is not a valid environment name/);
  });

  it("refuses a port that is already taken", async () => {
    const server: Server = createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as { port: number }).port;
    try {
      const result = await runCli(["up", "--env", PORTY, "--airflow-port", String(port)], env);
      expect(result.code, result.stderr).toBe(2);
      expect(result.stderr).toContain(`port ${port} is already in use`);
      expect(await databaseExists(databaseNameFor(PORTY))).toBe(false);
    } finally {
      server.close();
    }
  });

  it("refuses a name whose database is already on the server (another home's, or a killed run's), and leaves it alone", async () => {
    // What a run killed before its teardown leaves; a clean-clone CI run met one as exit 70.
    const name = `taken-${process.pid}`;
    const database = `shadow_taken_${process.pid}`;
    const server = new WarehouseClone(postgresSettingsFromEnv());
    await server.create({ database, template: "template1" });
    try {
      const result = await runCli(["up", "--env", name], env);
      expect(result.code, result.stderr).toBe(2);
      expect(result.stderr).toContain(`database "${database}" already exists on`);
      expect(result.stderr).toContain("Choose another name with --env");
      expect(await databaseExists(database)).toBe(true);
      expect((await runCli(["list", "--json"], env)).stdout.trim()).toBe("[]");
    } finally {
      await server.drop(database);
    }
  });

  it("tears down and names the log file when Airflow cannot start", async () => {
    // A virtualenv whose airflow exits at once, as a broken install would.
    const venv = join(home, "broken-venv");
    mkdirSync(join(venv, "bin"), { recursive: true });
    writeFileSync(join(venv, "bin", "airflow"), "#!/bin/sh\necho 'ImportError: no module named airflow' >&2\nexit 1\n");
    chmodSync(join(venv, "bin", "airflow"), 0o755);

    const result = await runCli(["up", "--env", NOSTART], { ...env, SHADOWOPS_AIRFLOW_VENV: venv });

    expect(result.code, result.stderr).toBe(3);
    expect(result.stderr).toMatch(/Airflow did not start: airflow db migrate failed/);
    expect(result.stderr).toContain(`See its log: ${join(home, "logs", NOSTART)}`);
    expect(result.stderr).toContain("ImportError: no module named airflow");
    await expectNothingLeft(home, NOSTART);
  });

  it("gives up on an Airflow that never becomes healthy, names its log, and tears down", async () => {
    // An airflow that migrates its database but whose components never answer.
    const venv = join(home, "silent-venv");
    mkdirSync(join(venv, "bin"), { recursive: true });
    writeFileSync(
      join(venv, "bin", "airflow"),
      '#!/bin/sh\nif [ "$1" = db ]; then touch "${AIRFLOW__DATABASE__SQL_ALCHEMY_CONN#sqlite:///}"; exit 0; fi\nexec sleep 600\n',
    );
    chmodSync(join(venv, "bin", "airflow"), 0o755);

    const result = await runCli(["up", "--env", SILENT], {
      ...env,
      SHADOWOPS_AIRFLOW_VENV: venv,
      SHADOWOPS_AIRFLOW_START_TIMEOUT: "5s",
    });

    expect(result.code, result.stderr).toBe(3);
    expect(result.stderr).toMatch(/Airflow did not start: .*did not become healthy within 5\.0 s/s);
    expect(result.stderr).toContain(`See its log: ${join(home, "logs", SILENT, "api-server.log")}`);
    await expectNothingLeft(home, SILENT);
  });

  it("tears down on Ctrl-C while Airflow is starting and exits 130", async () => {
    const { child, done } = startCli(["test", "--env", INTERRUPTED, "--project", REPO_ROOT], env);
    await new Promise<void>((resolve) => {
      child.stderr!.on("data", (chunk: Buffer) => {
        if (chunk.toString().includes("Airflow starting")) resolve();
      });
    });
    child.kill("SIGINT");
    const result = await done;

    expect(result.code, result.stderr).toBe(130);
    expect(result.stderr).toMatch(/interrupted by SIGINT; the environment was torn down/);
    await expectNothingLeft(home, INTERRUPTED);
  });

  it("tears down on SIGTERM while the DAG runs and exits 130", async () => {
    const { child, done } = startCli(["test", "--env", TERMINATED, "--project", REPO_ROOT], env);
    await new Promise<void>((resolve) => {
      child.stderr!.on("data", (chunk: Buffer) => {
        if (chunk.toString().includes("triggered")) resolve();
      });
    });
    child.kill("SIGTERM");
    const result = await done;

    expect(result.code, result.stderr).toBe(130);
    expect(result.stderr).toMatch(/interrupted by SIGTERM; the environment was torn down/);
    expect(result.stderr).toContain(`environment ${TERMINATED} destroyed`);
    await expectNothingLeft(home, TERMINATED);
  });
});
