/**
 * The packed orb's `shadow_test` job with the aws driver, run to its verdict: moto (the AWS API
 * emulator) holds the stack, and stand-ins do what moto cannot run, the shadow host and its
 * Redshift cluster, so that the DAG really runs and the bot, running in this test, turns the
 * signed callback into the check run the pull request would show. Real and stand-in, step by step:
 *  - install, report, clean_up, check_result: the orb's scripts and the built CLI, as on CircleCI.
 *  - assume_role: an `aws` stand-in answers STS (moto's credentials are fake anyway).
 *  - provision: real `shadowops up --driver aws` against moto (CloudFormation, EC2, Secrets
 *    Manager), `snapshot: none`. The template moto gets (motoTemplate) has literal secret ARNs and
 *    a literal warehouse endpoint of Redshift's shape, `<env>.c0ffee5ad0b5.us-east-1.redshift.
 *    amazonaws.com`: moto skips the secrets (the test creates them, with Secrets Manager's
 *    generated passwords) and gives GetAtt of the endpoint as a dict's repr (gap 2).
 *    Within `up`, the driver runs Ansible: a stand-in (test/support/shadow-node-standin.ts) makes
 *    this machine the shadow host with the repo's code, the way the playbook's roles would: it
 *    deploys the workload, starts a real Airflow 3 (the local driver's launcher) with the admin
 *    login it reads from the stack's Airflow secret, and builds the `shadow_warehouse` connection
 *    with the role's own warehouse_uri.py from the warehouse secret: the endpoint's name,
 *    sslmode=verify-full and the test CA as the CA file (a host's is its system bundle). Then the
 *    driver waits, through SHADOWOPS_AIRFLOW_ADDRESS, until Airflow parsed the deployed code.
 *  - The Redshift cluster: a throwaway PostgreSQL cluster (test/support/tls-postgres.ts), TLS only,
 *    with a certificate for the endpoint names signed by a test CA, holding a copy of the production
 *    stand-in, its admin user's password the warehouse secret's (as CloudFormation sets it). The
 *    endpoint name does not resolve here: the CLI reaches the cluster through
 *    SHADOWOPS_WAREHOUSE_ADDRESS (where an SSM tunnel would listen) and checks its certificate
 *    against the endpoint name (NODE_EXTRA_CA_CERTS trusts the test CA); Airflow's R tasks connect
 *    with the endpoint's name and PGHOSTADDR, and libpq checks the certificate against the name and
 *    the test CA (verify-full). That libpq refuses the cluster with another CA or name is checked
 *    with psql, without a DAG run; that the tasks ran with verify-full, in their rendered env.
 *  - configure: real `shadowops inventory` (no project playbook given).
 *  - migrate: real `shadowops migrate`: the login from Secrets Manager, TLS to the cluster stand-in.
 *  - run_dag: real `shadowops run-dag`: the Airflow login from the secret, the client at
 *    SHADOWOPS_AIRFLOW_ADDRESS (a tunnel's address; the URL the bot shows stays the stack's), the
 *    real DAG of R tasks against the cluster stand-in.
 *  - destroying: real `shadowops down` deletes the stack. moto's DeleteStack keeps the VPC, route
 *    table and internet gateway (gap 4): the step fails naming them and leaving them to the
 *    reaper, as for any leftover on AWS, and the test deletes them, as CloudFormation would have.
 *    The test stops the host's Airflow, as terminating the instance would.
 * The bad input on aws (unreachable warehouse, unreachable callback URL, missing OIDC token,
 * missing environment) is in orb-aws.moto.test.ts, without Airflow.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AirflowClient } from "../../src/airflow/airflow-client.js";
import { pipelineParameters } from "../../src/bot/runner/trigger-pipeline.js";
import type { EnvironmentRecord, PipelineAction } from "../../src/bot/store/environment-record.js";
import { packOrb } from "../../scripts/orb-pack.js";
import { applyEnv, motoEnv, motoTemplate, REGION, WAREHOUSE_ENDPOINT_ID, warehouseEndpointOf } from "../drivers/aws/moto-aws.js";
import { closedPort } from "../support/closed-port.js";
import { processesMentioning } from "../support/leftovers.js";
import { REPO_ROOT } from "../support/run-cli.js";
import { shadowNodeAirflow, stopShadowNode, writeShadowNodeStandIn } from "../support/shadow-node-standin.js";
import { startMoto, type MotoServer } from "../support/start-moto.js";
import { startTlsPostgres, type TlsPostgres } from "../support/tls-postgres.js";
import { awsJobSetup, expectStackGoneAndNetworkLeftToTheReaper, prepareAwsProject, statuses, stepOutput } from "./orb-aws-support.js";
import { asMap } from "./orb-checks.js";
import { jobsForPipeline, runOrbJob, type JobRun, type Params } from "./run-orb-job.js";
import { startOrbTestBot, type OrbTestBot } from "./serve-bot.js";

const SECRET = "orb-aws-execution-callback-secret";
const ENVIRONMENTS = ["orb-aws-pass", "orb-aws-fail"];
/** What the template's WarehouseMasterUsername and WarehouseDatabaseName give with `snapshot: none`. */
const WAREHOUSE = { username: "shadowops_admin", database: "warehouse" };
const { orb } = packOrb();
const verbose = process.env.ORB_RUN_VERBOSE === "1";
let moto: MotoServer | undefined;
let cluster: TlsPostgres | undefined;
let bot: OrbTestBot | undefined;
let dir: string;
let nodeHome: string;
let env: NodeJS.ProcessEnv;
let restoreEnv: (() => void) | undefined;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "shadowops-orb-aws-run-"));
  nodeHome = join(dir, "shadow-nodes");
  mkdirSync(nodeHome);
  execFileSync("npm", ["run", "--silent", "build"], { cwd: REPO_ROOT, stdio: "inherit" });
  // Both settle before a failure is thrown, so afterAll stops whichever did start.
  const started = await Promise.allSettled([
    startMoto().then((server) => (moto = server)),
    startTlsPostgres({ serverNames: [`*.${WAREHOUSE_ENDPOINT_ID}.${REGION}.redshift.amazonaws.com`] }).then((server) => (cluster = server)),
  ]);
  for (const outcome of started) if (outcome.status === "rejected") throw outcome.reason;
  if (!moto || !cluster) throw new Error("moto or the warehouse stand-in did not start");
  restoreEnv = applyEnv(motoEnv(moto));
  bot = await startOrbTestBot(SECRET);
  env = {
    ...awsJobSetup(dir, moto, { url: bot.url, secret: SECRET }).env,
    SHADOWOPS_TEMPLATE: motoTemplate(dir, { literalSecretOutputs: true, literalWarehouseEndpoint: true }),
    // Where a tunnel to the cluster would listen; here the cluster stand-in itself.
    SHADOWOPS_WAREHOUSE_ADDRESS: `${cluster.host}:${cluster.port}`,
    NODE_EXTRA_CA_CERTS: cluster.caFile,
    SHADOWOPS_ANSIBLE_PLAYBOOK: writeShadowNodeStandIn(join(dir, "shadow-node-bin")),
    SHADOW_NODE_HOME: nodeHome,
    SHADOW_NODE_WAREHOUSE_AT: `${cluster.host}:${cluster.port}`,
    SHADOW_NODE_WAREHOUSE_CA: cluster.caFile,
    // As in the local execution test: a deliberate failure ends the run at once.
    SHADOWOPS_TASK_RETRIES: "0",
  };
}, 300_000);

afterAll(async () => {
  // Whatever happened: no Airflow, no PostgreSQL, no emulator is left running.
  for (const environment of ENVIRONMENTS) await stopShadowNode(nodeHome, environment).catch(() => undefined);
  await cluster?.stop();
  await bot?.close();
  restoreEnv?.();
  await moto?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
}, 120_000);

/** The orb job the example runs for the bot's parameters of `action`. */
function invocation(example: string, record: EnvironmentRecord, action: PipelineAction): { job: string; parameters: Params } {
  const usage = asMap(asMap(asMap(orb.examples)[example]).usage);
  const jobs = jobsForPipeline(usage, { ...pipelineParameters(record, action, 4 * 3_600_000) }).filter((job) => job.orb === "shadowops");
  expect(jobs).toHaveLength(1);
  return { job: jobs[0]!.job, parameters: jobs[0]!.parameters };
}

async function run(job: string, parameters: Params, cwd: string, extra: NodeJS.ProcessEnv = {}): Promise<JobRun> {
  const result = await runOrbJob({ orb, job, parameters, cwd, env: { ...env, ...extra }, onOutput: verbose ? (chunk) => process.stderr.write(chunk) : undefined });
  if (verbose) process.stderr.write(`\n${job}: ${result.steps.map((step) => `${step.from ?? step.name} ${step.status} ${step.durationMs} ms`).join(", ")}\n`);
  return result;
}

/**
 * The project with the secrets CloudFormation would have made, the cluster restored from
 * production with the warehouse secret's password, and the port the host's Airflow will listen
 * on, with the job's tunnel to it (SHADOWOPS_AIRFLOW_ADDRESS).
 */
async function prepare(environment: string): Promise<{ project: string; jobEnv: NodeJS.ProcessEnv }> {
  const { project, warehousePassword } = await prepareAwsProject(dir, environment, WAREHOUSE.username);
  await cluster!.restoreProduction({ database: WAREHOUSE.database, owner: WAREHOUSE.username, password: warehousePassword, serverName: warehouseEndpointOf(environment) });
  const airflowPort = await closedPort();
  return { project, jobEnv: { SHADOW_NODE_AIRFLOW_PORT: String(airflowPort), SHADOWOPS_AIRFLOW_ADDRESS: `127.0.0.1:${airflowPort}` } };
}

/** Rows of `sql` in the cluster stand-in's warehouse, asked over TLS by its endpoint name. */
async function warehouseRows(environment: string, sql: string): Promise<Record<string, unknown>[]> {
  const client = await cluster!.connect(WAREHOUSE.database, warehouseEndpointOf(environment));
  try {
    return (await client.query(sql)).rows;
  } finally {
    await client.end();
  }
}

/**
 * What psql says connecting to the cluster stand-in as `serverName` with verify-full against
 * `caFile`: libpq, the library the R tasks' RPostgreSQL uses, set up as their PG* variables set it.
 */
function libpqConnect(serverName: string, caFile: string): string {
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith("PG")));
  const result = spawnSync("psql", ["-X", "-tA", "-c", "SELECT 1"], {
    env: {
      ...inherited,
      PGHOST: serverName,
      PGHOSTADDR: cluster!.host,
      PGPORT: String(cluster!.port),
      PGDATABASE: "postgres",
      PGUSER: "nobody",
      PGPASSWORD: "x",
      PGSSLMODE: "verify-full",
      PGSSLROOTCERT: caFile,
    },
    encoding: "utf8",
  });
  return `${result.stdout}${result.stderr}`;
}

/** The env each task of the DAG's runs was rendered with, by task id, as the host's Airflow stored it. */
async function renderedTaskEnvs(environment: string): Promise<Record<string, Record<string, string>>> {
  const airflow = shadowNodeAirflow(nodeHome, environment)!;
  const client = new AirflowClient({ baseUrl: airflow.url, username: airflow.username, password: airflow.password });
  const response = await fetch(`${airflow.url}/api/v2/dags/warehouse_metrics/dagRuns/~/taskInstances`, { headers: { authorization: `Bearer ${await client.getToken()}` } });
  expect(response.status).toBe(200);
  const body = (await response.json()) as { task_instances: { task_id: string; rendered_fields: { env: Record<string, string> } }[] };
  return Object.fromEntries(body.task_instances.map((task) => [task.task_id, task.rendered_fields.env]));
}

// Airflow's start on two cores is most of each test: 1.5–3 minutes each.
const SHADOW_TIMEOUT = 480_000;

describe("shadow_test with the aws driver on moto, the host and warehouse stood in, reporting to the bot", { timeout: SHADOW_TIMEOUT }, () => {
  it("the warehouse stand-in takes TLS only, with a certificate for the endpoint names alone, as Redshift does", async () => {
    const login = { host: cluster!.host, port: cluster!.port, user: "nobody", password: "x", database: "postgres" };
    await expect(new pg.Client(login).connect()).rejects.toThrow(/no encryption/);
    const ca = readFileSync(cluster!.caFile, "utf8");
    await expect(new pg.Client({ ...login, ssl: { ca, servername: "warehouse.example.com" } }).connect()).rejects.toThrow(/does not match certificate's altnames/);
    // The name checks out; the (unknown) user is what is refused then.
    await expect(new pg.Client({ ...login, ssl: { ca, servername: warehouseEndpointOf("any-pr-1") } }).connect()).rejects.toThrow(/password authentication failed for user "nobody"/);
  });

  it("libpq with verify-full, as the R tasks connect, reaches the warehouse stand-in only with its CA and an endpoint name", () => {
    const otherCa = join(dir, "other-ca.crt");
    execFileSync("openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1", "-subj", "/CN=another CA", "-keyout", join(dir, "other-ca.key"), "-out", otherCa], { stdio: "ignore" });
    // The certificate checks out; the (unknown) user is what is refused then.
    expect(libpqConnect(warehouseEndpointOf("any-pr-1"), cluster!.caFile)).toMatch(/password authentication failed for user "nobody"/);
    expect(libpqConnect(warehouseEndpointOf("any-pr-1"), otherCa)).toMatch(/certificate verify failed/);
    expect(libpqConnect("warehouse.example.com", cluster!.caFile)).toMatch(/server certificate for ".*" does not match host name "warehouse\.example\.com"/);
  });

  it("passes: the bot's DAG check passes with every task, the environment stays for the PR, and the destroy job deletes the stack", async () => {
    const environment = "orb-aws-pass";
    const { record, environmentCheck, dagCheck } = bot!.seedEnvironment(environment);
    const { project, jobEnv } = await prepare(environment);
    const { job, parameters } = invocation("test_pull_requests_with_the_bot", record, "test");
    expect(job).toBe("shadow_test");

    const result = await run(job, { ...parameters, region: REGION, snapshot: "none", checkout: false, work_dir: join(dir, "work-pass") }, project, jobEnv);

    expect(result.ok, result.output).toBe(true);
    expect(statuses(result)).toEqual([
      "install:success", "assume_role:success", "provision:success", "configure:success", "migrate:success", "run_dag:success", "report:success", "clean_up:success", "check_result:success",
    ]);
    const provision = stepOutput(result, "provision");
    expect(provision).toMatch(/creating stack shadowops-orb-aws-pass in us-east-1/);
    // The driver ran Ansible (the stand-in), which started the host's Airflow with the secret's login.
    expect(provision).toContain("task: shadowops_airflow : Start the Airflow services");
    expect(shadowNodeAirflow(nodeHome, environment)).toMatchObject({ username: "admin", port: Number(jobEnv.SHADOW_NODE_AIRFLOW_PORT) });
    // Then the driver logged in through SHADOWOPS_AIRFLOW_ADDRESS and waited for the deployed code's parse.
    expect(provision).toContain("Airflow parsed the redeployed code: warehouse_metrics");
    expect(stepOutput(result, "migrate")).toMatch(/migrate\s+applying 0001_create_analytics_schema\.sql \(1\/3\)/);
    const runDag = stepOutput(result, "run_dag");
    for (const task of ["check_sources", "compute_daily_revenue", "compute_customer_value", "validate_outputs"]) expect(runDag).toMatch(new RegExp(`${task}: [a-z_]+ → success`));
    expect(runDag).toContain("the shadow test passed");
    expect(stepOutput(result, "report")).toMatch(new RegExp(`sent dag_result event [0-9a-f-]{36} for ${environment} to ${bot!.url}/shadowops/callbacks: HTTP 200, applied`));
    expect(stepOutput(result, "clean_up")).toMatch(/keeping orb-aws-pass for the pull request until \d{4}-/);
    expect(result.output).not.toContain(SECRET);

    // What the pull request shows: the shadow is ready at the stack's Airflow URL (not the tunnel's) …
    expect(bot!.checkUpdates(environmentCheck).map((body) => body.conclusion ?? body.status)).toContain("success");
    const stored = bot!.store.getEnvironment(environment);
    expect(stored).toMatchObject({ state: "passed", airflowUrl: expect.stringMatching(/^http:\/\/[\d.]+:8080/) });
    expect(stored!.airflowUrl).not.toContain(`:${jobEnv.SHADOW_NODE_AIRFLOW_PORT}`);
    // … and a passing DAG check with one row per task.
    const dagResult = bot!.checkUpdates(dagCheck).find((body) => body.status === "completed");
    expect(dagResult).toMatchObject({ conclusion: "success", output: { title: "DAG warehouse_metrics passed: 4 tasks" } });
    const shown = `${dagResult.output.summary}\n${dagResult.output.text ?? ""}`;
    expect(shown).toContain("| Task | State | Try | Started (UTC) | Duration |");
    for (const task of ["check_sources", "compute_daily_revenue", "compute_customer_value", "validate_outputs"]) {
      expect(shown).toMatch(new RegExp(`\\| ${task.replace(/_/g, "\\\\?_")} \\| \\S+ success \\| 1 \\|`));
    }

    // The tasks connected as a host's do: verify-full, against the CA file of the connection.
    const rendered = await renderedTaskEnvs(environment);
    expect(Object.keys(rendered).sort()).toEqual(["check_sources", "compute_customer_value", "compute_daily_revenue", "validate_outputs"]);
    for (const env of Object.values(rendered)) expect(env).toMatchObject({ PGHOST: warehouseEndpointOf(environment), PGSSLMODE: "verify-full", PGSSLROOTCERT: cluster!.caFile });

    // The migrations and the DAG wrote to the warehouse behind the endpoint.
    const [written] = await warehouseRows(environment, "SELECT count(*)::int AS days, count(avg_basket)::int AS baskets FROM analytics.daily_revenue");
    expect(written!.days).toBeGreaterThan(0);
    expect(written!.baskets).toBe(written!.days);

    // The pull request merges: the bot's destroy job deletes the stack.
    const destroy = invocation("test_pull_requests_with_the_bot", record, "destroy");
    expect(destroy.job).toBe("destroy");
    const destroyed = await run(destroy.job, { ...destroy.parameters, region: REGION }, project, jobEnv);
    expect(stepOutput(destroyed, "destroy")).toContain(`deleting stack shadowops-${environment}`);
    await expectStackGoneAndNetworkLeftToTheReaper(destroyed, environment, "destroy");
    await stopShadowNode(nodeHome, environment);
    expect(processesMentioning(join(nodeHome, environment))).toEqual([]);
  });

  it("fails: a broken R script fails the DAG check and the job, and the stack is deleted", async () => {
    const environment = "orb-aws-fail";
    const { record, dagCheck } = bot!.seedEnvironment(environment);
    const { project, jobEnv } = await prepare(environment);
    appendFileSync(join(project, "r", "compute_daily_revenue.R"), '\nstop("deliberate failure: revenue model rejected")\n');
    // The example that uses the orb beside the repository's own jobs destroys at the end of the job.
    const { job, parameters } = invocation("use_alongside_your_own_jobs", record, "test");
    expect(parameters.keep_environment).toBe(false);

    const result = await run(job, { ...parameters, region: REGION, snapshot: "none", checkout: false, project_dir: ".", work_dir: join(dir, "work-fail") }, project, jobEnv);

    expect(result.ok).toBe(false);
    // check_result is skipped because clean_up failed on moto's leftover network (gap 4); the
    // DAG's failure is in run_dag's output, the report, and the bot's check.
    expect(statuses(result)).toEqual([
      "install:success", "assume_role:success", "provision:success", "configure:success", "migrate:success", "run_dag:success", "report:success", "clean_up:failed", "check_result:skipped",
    ]);
    expect(stepOutput(result, "run_dag")).toMatch(/compute_daily_revenue: [a-z_]+ → failed/);
    expect(stepOutput(result, "run_dag")).toContain("the shadow test FAILED");
    expect(stepOutput(result, "report")).toMatch(/sent dag_result event .* HTTP 200, applied/);
    expect(stepOutput(result, "clean_up")).toContain(`destroying ${environment}: keep_environment is false`);

    const dagResult = bot!.checkUpdates(dagCheck).find((body) => body.status === "completed");
    expect(dagResult).toMatchObject({ conclusion: "failure", output: { title: expect.stringMatching(/^DAG warehouse_metrics failed: 4 tasks, \d+ failed$/) } });
    expect(JSON.stringify(dagResult.output)).toContain("deliberate failure: revenue model rejected");
    expect(bot!.store.getEnvironment(environment)?.failure).toMatch(/compute_daily_revenue failed/);
    await expectStackGoneAndNetworkLeftToTheReaper(result, environment);
    await stopShadowNode(nodeHome, environment);
    expect(processesMentioning(join(nodeHome, environment))).toEqual([]);
  });
});
