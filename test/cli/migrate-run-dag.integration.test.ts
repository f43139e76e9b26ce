/**
 * `shadowops migrate` and `shadowops run-dag`, the middle of `shadowops test` as separate
 * commands (what the orb's steps call), on this machine: real PostgreSQL, Airflow 3 and R.
 * One environment goes up once; the commands are run against it in the order a CI job would,
 * and out of order, which the local driver refuses.
 */
import { execFileSync } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { databaseNameFor } from "../../src/core/environment-name.js";
import { environmentNameInThisCheckout } from "../support/checkout-environment-names.js";
import { dropLeftoverDatabases, expectNothingLeft } from "../support/leftovers.js";
import { REPO_ROOT, runCli } from "../support/run-cli.js";

const home = mkdtempSync(join(tmpdir(), "shadowops-steps-test-"));
const env = { SHADOWOPS_HOME: home, SHADOWOPS_TASK_RETRIES: "0" };
const project = join(home, "project");
const NAME = environmentNameInThisCheckout("steps");

interface Report {
  environment: string;
  outcome: string;
  failure?: string;
  migrations: { name: string; status: string }[];
  dagRun?: { state: string; tasks: { taskId: string; state: string }[] };
  timings: { phase: string }[];
}

beforeAll(async () => {
  execFileSync("npm", ["run", "--silent", "build"], { cwd: REPO_ROOT, stdio: "inherit" });
  for (const part of ["dags", "r", "migrations"]) cpSync(join(REPO_ROOT, part), join(project, part), { recursive: true });
  await dropLeftoverDatabases([NAME]);
});

afterAll(async () => {
  await runCli(["down", "--env", NAME], env);
  rmSync(home, { recursive: true, force: true });
});

describe("migrate, then run-dag, as separate commands", { timeout: 420_000 }, () => {
  it("up --json prints progress on stderr and only JSON on stdout", async () => {
    const result = await runCli(["up", "--env", NAME, "--project", project, "--json"], env);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/Airflow starting/);
    expect(JSON.parse(result.stdout)).toMatchObject({ name: NAME, state: "configuring" });
  });

  it("refuses to run the DAG before the migrations, and says what to do", async () => {
    const result = await runCli(["run-dag", "--env", NAME], env);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`environment ${NAME} is configuring: apply its migrations first with \`shadowops migrate --env ${NAME}\``);
    expect(result.stderr).not.toMatch(/triggered/);
  });

  it("migrate --no-deploy applies the migrations up deployed, with progress on stderr", async () => {
    const result = await runCli(["migrate", "--env", NAME, "--project", project, "--no-deploy", "--json"], env);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/migrate\s+applying 0001_create_analytics_schema\.sql/);
    const report = JSON.parse(result.stdout) as Report;
    expect(report).toMatchObject({ environment: NAME, outcome: "passed" });
    expect(report.dagRun).toBeUndefined();
    expect(report.migrations.length).toBeGreaterThan(0);
    expect(report.migrations.every((m) => m.status === "applied")).toBe(true);
    expect(report.timings.map((t) => t.phase)).toEqual(["migrate"]);
    writeFileSync(join(home, "migrations.json"), result.stdout);
  });

  it("run-dag runs the DAG and reports it together with those migrations", async () => {
    const markdown = join(home, "report.md");
    const result = await runCli(["run-dag", "--env", NAME, "--migrations", join(home, "migrations.json"), "--json", "--markdown", markdown], env);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/validate_outputs: [a-z_]+ → success/);
    const report = JSON.parse(result.stdout) as Report;
    expect(report.outcome).toBe("passed");
    expect(report.dagRun?.state).toBe("success");
    expect(report.migrations.map((m) => m.status)).toContain("applied");
    expect(report.timings.map((t) => t.phase)).toEqual(["migrate", "run"]);
    expect(readFileSync(markdown, "utf8")).toContain("0001\\_create\\_analytics\\_schema.sql");
    const status = JSON.parse((await runCli(["status", "--env", NAME, "--json"], env)).stdout) as { state: string };
    expect(status.state).toBe("passed");
  });

  it("migrate --no-deploy on a tested environment is refused: its code must be deployed again first", async () => {
    const result = await runCli(["migrate", "--env", NAME, "--project", project, "--no-deploy"], env);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`environment ${NAME} is passed: deploy the code again before migrating (drop --no-deploy)`);
    expect(result.stderr).not.toMatch(/applying/);
  });

  it("migrate without --no-deploy redeploys the code; a failing migration exits 1 with its report", async () => {
    writeFileSync(join(project, "migrations", "0099_broken.sql"), "ALTER TABLE analytics.no_such_table ADD COLUMN x INT;\n");
    const result = await runCli(["migrate", "--env", NAME, "--project", project, "--json"], env);
    expect(result.code, result.stderr).toBe(1);
    expect(result.stderr).toMatch(/configure\s+deploying DAGs, R scripts and migrations/);
    const report = JSON.parse(result.stdout) as Report;
    expect(report.outcome).toBe("failed");
    expect(report.failure).toContain('migration 0099_broken.sql failed');
    expect(report.failure).toContain('relation "analytics.no_such_table" does not exist');
    expect(report.timings.map((t) => t.phase)).toEqual(["configure", "migrate"]);
    writeFileSync(join(home, "failed-migrations.json"), result.stdout);
  });

  it("run-dag refuses to run after failed migrations and leaves the environment as it was", async () => {
    const result = await runCli(["run-dag", "--env", NAME, "--migrations", join(home, "failed-migrations.json")], env);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/the migrations failed \(migration 0099_broken\.sql failed.*\): the DAG is not run/);
    expect(result.stderr).not.toMatch(/triggered/);
    const status = await runCli(["status", "--env", NAME, "--json"], env);
    expect(status.code).toBe(0);
  });

  it("down removes everything", async () => {
    const result = await runCli(["down", "--env", NAME, "--json"], env);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain(`dropping database ${databaseNameFor(NAME)}`);
    expect(JSON.parse(result.stdout)).toEqual({ name: NAME, state: "destroyed" });
    await expectNothingLeft(home, NAME);
  });
});

describe("bad input to migrate and run-dag", () => {
  it("names an unknown environment", async () => {
    for (const command of [["migrate", "--project", project], ["run-dag"]]) {
      const result = await runCli([...command, "--env", "nowhere"], env);
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(/there is no environment named nowhere/);
    }
  });

  it("run-dag refuses a migrations file that is not a report, or is another environment's", async () => {
    const notJson = join(home, "not-a-report.json");
    writeFileSync(notJson, "applied 0001\n");
    const garbled = await runCli(["run-dag", "--env", "nowhere", "--migrations", notJson], env);
    expect(garbled.code).toBe(2);
    expect(garbled.stderr).toContain(`the report ${notJson} is not JSON`);

    const other = join(home, "other-environment.json");
    writeFileSync(other, JSON.stringify({ environment: "elsewhere", driver: "local", outcome: "passed", migrations: [], timings: [] }));
    const mismatched = await runCli(["run-dag", "--env", "nowhere", "--migrations", other], env);
    expect(mismatched.code).toBe(2);
    expect(mismatched.stderr).toContain("the migrations report is about environment elsewhere, not nowhere");
  });
});
