/**
 * The packed orb's jobs run here step by step (test/orb/run-orb-job.ts) against the real local
 * driver (PostgreSQL, Airflow 3, R), the way the bot's pipeline would run them: the bot's own
 * pipeline parameters pick the job from the consumer example, the steps call the built CLI, and
 * the signed callbacks go to the ShadowOps bot itself, running in this test (Probot with the app,
 * GitHub mocked with nock), which turns them into check runs.
 */
import { execFileSync } from "node:child_process";
import { appendFileSync, cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { closedPort } from "../support/closed-port.js";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pipelineParameters } from "../../src/bot/runner/trigger-pipeline.js";
import type { EnvironmentRecord, PipelineAction } from "../../src/bot/store/environment-record.js";
import { packOrb } from "../../scripts/orb-pack.js";
import { environmentNameInThisCheckout } from "../support/checkout-environment-names.js";
import { dropLeftoverDatabases, expectNothingLeft, processesMentioning } from "../support/leftovers.js";
import { REPO_ROOT, runCli } from "../support/run-cli.js";
import { asMap } from "./orb-checks.js";
import { writeFakeTools } from "./fake-tools.js";
import { jobsForPipeline, runOrbJob, type JobRun, type Params } from "./run-orb-job.js";
import { startOrbTestBot, type OrbTestBot } from "./serve-bot.js";

const SECRET = "orb-execution-callback-secret";
const { orb } = packOrb();
const home = mkdtempSync(join(tmpdir(), "shadowops-orb-test-"));
const shadowopsHome = join(home, "shadowops-home");
const cliBin = join(home, "cli-bin");
const PASS = environmentNameInThisCheckout("orb-pass");
const FAIL = environmentNameInThisCheckout("orb-fail");
const UNREACHABLE = environmentNameInThisCheckout("orb-unreachable");
const ENVIRONMENTS = [PASS, FAIL, UNREACHABLE];
const verbose = process.env.ORB_RUN_VERBOSE === "1";

let bot: OrbTestBot;

beforeAll(async () => {
  execFileSync("npm", ["run", "--silent", "build"], { cwd: REPO_ROOT, stdio: "inherit" });
  // What the orb's install step finds on PATH: this checkout's CLI, at the version the orb pins.
  mkdirSync(cliBin, { recursive: true });
  symlinkSync(join(REPO_ROOT, "bin", "shadowops.js"), join(cliBin, "shadowops"));
  await dropLeftoverDatabases(ENVIRONMENTS);
  bot = await startOrbTestBot(SECRET);
}, 300_000);

afterAll(async () => {
  // Belt and braces: if a test failed half-way, do not leave Airflow running.
  for (const name of ENVIRONMENTS) await runCli(["down", "--env", name], { SHADOWOPS_HOME: shadowopsHome });
  await bot?.close();
  rmSync(home, { recursive: true, force: true });
});

/** A copy of the repo's workload (what the job would check out) that a test may break. */
function projectCopy(name: string): string {
  const dir = join(home, "projects", name);
  for (const part of ["dags", "r", "migrations"]) cpSync(join(REPO_ROOT, part), join(dir, part), { recursive: true });
  return dir;
}

/** The orb job the example runs for the bot's parameters of `action`. */
function invocation(example: string, record: EnvironmentRecord, action: PipelineAction): { job: string; parameters: Params } {
  const usage = asMap(asMap(asMap(orb.examples)[example]).usage);
  const jobs = jobsForPipeline(usage, { ...pipelineParameters(record, action, 4 * 3_600_000) }).filter((job) => job.orb === "shadowops");
  expect(jobs).toHaveLength(1);
  return { job: jobs[0]!.job, parameters: jobs[0]!.parameters };
}

function jobEnv(overrides: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return {
    PATH: `${cliBin}:${process.env.PATH}`,
    SHADOWOPS_HOME: shadowopsHome,
    SHADOWOPS_TASK_RETRIES: "0",
    SHADOWOPS_CALLBACK_URL: bot.url,
    SHADOWOPS_CALLBACK_SECRET: SECRET,
    ...overrides,
  };
}

async function run(job: string, parameters: Params, { cwd, env = {} }: { cwd: string; env?: NodeJS.ProcessEnv }): Promise<JobRun> {
  const result = await runOrbJob({
    orb,
    job,
    parameters,
    cwd,
    env: jobEnv(env),
    onOutput: verbose ? (chunk) => process.stderr.write(chunk) : undefined,
  });
  if (verbose) process.stderr.write(`\n${job}: ${result.steps.map((step) => `${step.from ?? step.name} ${step.status} ${step.durationMs} ms`).join(", ")}\n`);
  return result;
}

const statuses = (result: JobRun) => result.steps.map((step) => `${step.from ?? step.name}:${step.status}`);
const stepOutput = (result: JobRun, from: string) => result.steps.filter((step) => step.from === from).map((step) => step.output).join("");


// A local shadow test takes 1.5–2 minutes on two cores; Airflow's start is most of it.
const SHADOW_TIMEOUT = 420_000;

describe("shadow_test with the local driver, reporting to the bot", { timeout: SHADOW_TIMEOUT }, () => {
  it("passes: the bot's DAG check passes, the environment stays for the PR; a re-test with a broken migration skips the DAG; the destroy job removes it", async () => {
    const { record, environmentCheck, dagCheck } = bot.seedEnvironment(PASS);
    const project = projectCopy("orb-pass");
    const work = join(home, "work-pass");
    const { job, parameters } = invocation("test_pull_requests_with_the_bot", record, "test");
    expect(job).toBe("shadow_test");

    const result = await run(job, { ...parameters, driver: "local", checkout: false, work_dir: work }, { cwd: project });

    expect(result.ok, result.output).toBe(true);
    expect(statuses(result)).toEqual([
      "install:success", "provision:success", "configure:success", "migrate:success", "run_dag:success", "report:success", "clean_up:success", "check_result:success",
    ]);
    expect(stepOutput(result, "install")).toContain("shadowops 0.1.0 is installed");
    // Each step shows the CLI's progress in its own output: the migrations, then every task.
    expect(stepOutput(result, "migrate")).toMatch(/migrate\s+applying 0001_create_analytics_schema\.sql/);
    expect(stepOutput(result, "migrate")).not.toMatch(/triggered/);
    expect(stepOutput(result, "run_dag")).toMatch(/validate_outputs: [a-z_]+ → success/);
    expect(stepOutput(result, "provision")).toMatch(/Airflow: http:\/\/127\.0\.0\.1:\d+/);
    expect(stepOutput(result, "run_dag")).toContain("the shadow test passed");
    expect(stepOutput(result, "report")).toMatch(new RegExp(`sent dag_result event [0-9a-f-]{36} for ${PASS} to ${bot.url}/shadowops/callbacks: HTTP 200, applied`));
    expect(stepOutput(result, "clean_up")).toMatch(new RegExp(`keeping ${PASS} for the pull request until \\d{4}-`));
    expect(result.output).not.toContain(SECRET);

    // The bot got ready, then the result, and asked GitHub for a passing check.
    expect(bot.checkUpdates(environmentCheck).map((body) => body.conclusion ?? body.status)).toContain("success");
    const dagResult = bot.checkUpdates(dagCheck).find((body) => body.status === "completed");
    expect(dagResult).toMatchObject({ conclusion: "success" });
    expect(dagResult.output.title).toMatch(/warehouse_metrics/);
    expect(bot.store.getEnvironment(PASS)).toMatchObject({ state: "passed", airflowUrl: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+/) });
    expect(processesMentioning(join(shadowopsHome, "environments", PASS)).length).toBeGreaterThan(0);

    // A re-test of the kept environment (the bot's second /shadow test) with a migration that fails.
    const retest = bot.seedEnvironment(PASS);
    writeFileSync(join(project, "migrations", "0099_broken.sql"), "ALTER TABLE analytics.no_such_table ADD COLUMN x INT;\n");
    const again = invocation("test_pull_requests_with_the_bot", retest.record, "test");
    const failed = await run(again.job, { ...again.parameters, driver: "local", checkout: false, work_dir: join(home, "work-retest") }, { cwd: project });

    expect(failed.ok).toBe(false);
    expect(statuses(failed)).toEqual([
      "install:success", "provision:success", "configure:success", "migrate:failed", "run_dag:skipped", "report:success", "clean_up:success", "check_result:skipped",
    ]);
    expect(stepOutput(failed, "provision")).toContain(`environment ${PASS} is live (passed): reusing it`);
    // Reused, so the pull request's code is deployed before its migrations run.
    expect(stepOutput(failed, "migrate")).toMatch(/configure\s+deploying DAGs, R scripts and migrations/);
    expect(stepOutput(failed, "migrate")).toContain('relation "analytics.no_such_table" does not exist');
    expect(stepOutput(failed, "migrate")).toContain("shadowops orb: a migration FAILED, so the DAG is not run");
    expect(stepOutput(failed, "report")).toMatch(/sent dag_result event .* HTTP 200, applied/);
    const migrationResult = bot.checkUpdates(retest.dagCheck).find((body) => body.status === "completed");
    expect(migrationResult).toMatchObject({ conclusion: "failure" });
    expect(JSON.stringify(migrationResult.output)).toContain("0099");
    expect(bot.store.getEnvironment(PASS)?.failure).toMatch(/migration 0099_broken\.sql failed/);
    // The test ran to its verdict and the bot knows: the environment stays for the pull request.
    expect(stepOutput(failed, "clean_up")).toContain(`keeping ${PASS} for the pull request`);

    const destroy = invocation("test_pull_requests_with_the_bot", record, "destroy");
    expect(destroy.job).toBe("destroy");
    const destroyed = await run(destroy.job, { ...destroy.parameters, driver: "local" }, { cwd: project });
    expect(destroyed.ok, destroyed.output).toBe(true);
    expect(stepOutput(destroyed, "destroy")).toMatch(/sent destroyed event .* HTTP 200, applied/);
    expect(bot.store.getEnvironment(PASS)?.state).toBe("destroyed");
    await expectNothingLeft(shadowopsHome, PASS);
  });

  it("fails: a broken R script fails the DAG check, the job, and the environment is torn down", async () => {
    const { record, dagCheck } = bot.seedEnvironment(FAIL);
    const project = projectCopy("orb-fail");
    appendFileSync(join(project, "r", "compute_daily_revenue.R"), '\nstop("deliberate failure: revenue model rejected")\n');
    // The example that uses the orb beside the repository's own jobs destroys at the end of the job.
    const { job, parameters } = invocation("use_alongside_your_own_jobs", record, "test");
    expect(parameters.keep_environment).toBe(false);

    const result = await run(job, { ...parameters, driver: "local", checkout: false, project_dir: ".", work_dir: join(home, "work-fail") }, { cwd: project });

    expect(result.ok).toBe(false);
    expect(statuses(result)).toEqual([
      "install:success", "provision:success", "configure:success", "migrate:success", "run_dag:success", "report:success", "clean_up:success", "check_result:failed",
    ]);
    expect(stepOutput(result, "run_dag")).toContain("the shadow test FAILED");
    expect(stepOutput(result, "check_result")).toMatch(/the shadow test failed: DAG warehouse_metrics failed: compute_daily_revenue failed/);
    expect(stepOutput(result, "clean_up")).toContain(`destroying ${FAIL}: keep_environment is false`);

    const dagResult = bot.checkUpdates(dagCheck).find((body) => body.status === "completed");
    expect(dagResult).toMatchObject({ conclusion: "failure" });
    expect(JSON.stringify(dagResult.output)).toContain("deliberate failure: revenue model rejected");
    expect(bot.store.getEnvironment(FAIL)).toMatchObject({ state: "destroyed", failure: expect.stringMatching(/compute_daily_revenue failed/) });
    await expectNothingLeft(shadowopsHome, FAIL);
  });
});

describe("bad input", () => {
  it("an unreachable callback URL fails the job naming the URL, and the environment is still torn down", { timeout: SHADOW_TIMEOUT }, async () => {
    const { record } = bot.seedEnvironment(UNREACHABLE);
    const project = projectCopy("orb-unreachable");
    const url = `http://127.0.0.1:${await closedPort()}`;
    const { job, parameters } = invocation("test_pull_requests_with_the_bot", record, "test");

    // Two retries rather than the default six (about a minute): the failure is the same, sooner.
    const result = await run(job, { ...parameters, driver: "local", checkout: false, work_dir: join(home, "work-unreachable"), callback_retries: 2 }, {
      cwd: project,
      env: { SHADOWOPS_CALLBACK_URL: url },
    });

    expect(result.ok).toBe(false);
    expect(statuses(result)).toEqual([
      "install:success", "provision:success", "configure:success", "migrate:success", "run_dag:success", "report:failed", "clean_up:success", "check_result:skipped",
    ]);
    expect(stepOutput(result, "provision")).toMatch(/warning: could not deliver the phase callback .*\(--best-effort: carrying on\)/);
    expect(stepOutput(result, "report")).toContain(
      `shadowops: could not deliver the dag_result callback for ${UNREACHABLE} to ${url}/shadowops/callbacks after 3 attempts: cannot reach ${url}/shadowops/callbacks: ECONNREFUSED`,
    );
    expect(stepOutput(result, "report")).toMatch(/retrying in 1 s \(attempt 2 of 3\)/);
    expect(stepOutput(result, "clean_up")).toContain(`destroying ${UNREACHABLE}: the bot could not be told the result`);
    // The job's callback_retries reach "destroyed" too, and its failure does not fail clean_up.
    expect(stepOutput(result, "clean_up")).toMatch(
      new RegExp(`warning: could not deliver the destroyed callback for ${UNREACHABLE} to \\S+ after 3 attempts: .*ECONNREFUSED.*\\(--best-effort: carrying on\\)`),
    );
    expect(result.output).not.toContain(SECRET);
    await expectNothingLeft(shadowopsHome, UNREACHABLE);
  });

  it("a missing OIDC token stops the aws job before anything is created, and the bot hears why", { timeout: 120_000 }, async () => {
    const { record, environmentCheck } = bot.seedEnvironment("orb-no-oidc");
    const project = projectCopy("orb-no-oidc");
    // ansible-playbook and aws stand-ins, so the install step need not download anything.
    const fakes = writeFakeTools(join(home, "fakes-oidc"), "0.0.0");
    const { job, parameters } = invocation("test_pull_requests_with_the_bot", record, "test");

    const result = await run(job, { ...parameters, checkout: false, work_dir: join(home, "work-oidc") }, {
      cwd: project,
      env: { PATH: `${cliBin}:${fakes.bin}:${process.env.PATH}`, FAKE_TOOLS_LOG: fakes.log, CIRCLE_OIDC_TOKEN_V2: "" },
    });

    expect(result.ok).toBe(false);
    expect(statuses(result)).toEqual([
      "install:success", "assume_role:failed", "provision:skipped", "configure:skipped", "migrate:skipped", "run_dag:skipped", "report:success", "clean_up:success", "check_result:skipped",
    ]);
    expect(stepOutput(result, "assume_role")).toContain("shadowops orb: CIRCLE_OIDC_TOKEN_V2 is not set, so the AWS role cannot be assumed");
    expect(fakes.calls().filter((call) => call[0] === "aws")).toEqual([]);
    expect(stepOutput(result, "report")).toMatch(/sent failed event .* HTTP 200, applied/);
    expect(stepOutput(result, "clean_up")).toContain("no environment was provisioned: nothing to clean up");
    expect(bot.checkUpdates(environmentCheck).at(-1)).toMatchObject({ conclusion: "failure", output: { title: "Shadow failed while provisioning" } });
    expect(bot.store.getEnvironment("orb-no-oidc")?.failure).toMatch(/the job stopped before the shadow test finished: see the failed step \(CircleCI job: https:/);
  });

  it("a missing environment parameter fails the first step that needs it, and nothing runs or is reported", { timeout: 120_000 }, async () => {
    const project = projectCopy("orb-no-environment");
    const result = await run("shadow_test", { driver: "local", checkout: false, work_dir: join(home, "work-no-env") }, { cwd: project });
    expect(result.ok).toBe(false);
    expect(statuses(result)).toEqual([
      "install:success", "provision:failed", "configure:skipped", "migrate:skipped", "run_dag:skipped", "report:success", "clean_up:success", "check_result:skipped",
    ]);
    expect(stepOutput(result, "provision")).toContain("shadowops orb: the environment parameter is empty: pass the environment id");
    expect(stepOutput(result, "report")).toContain("nothing to report: the environment parameter is empty");
  });

  it("the CLI's notify exits 3 naming the URL when the bot is unreachable, and never prints the secret", { timeout: 60_000 }, async () => {
    const url = `http://127.0.0.1:${await closedPort()}`;
    const result = await runCli(["notify", "--event", "failed", "--env", "orb-cli", "--reason", "test", "--retries", "1"], {
      SHADOWOPS_CALLBACK_URL: url,
      SHADOWOPS_CALLBACK_SECRET: SECRET,
    });
    expect(result.code).toBe(3);
    expect(result.stderr).toContain(`shadowops: could not deliver the failed callback for orb-cli to ${url}/shadowops/callbacks after 2 attempts`);
    expect(result.stdout + result.stderr).not.toContain(SECRET);

    const missing = await runCli(["notify", "--env", "orb-cli"], { SHADOWOPS_CALLBACK_URL: url, SHADOWOPS_CALLBACK_SECRET: SECRET });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/required option '--event <type>' not specified/);
  });
});
