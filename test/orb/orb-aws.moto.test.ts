/**
 * The orb's aws jobs against moto (the AWS API emulator, in server mode), reporting to the bot
 * running in this test. What is real and what is emulated, step by step:
 *  - assume_role: emulated. An `aws` stand-in answers STS (moto's credentials are fake anyway);
 *    the script's checks of the role ARN and of CIRCLE_OIDC_TOKEN_V2 are real.
 *  - provision: real `shadowops up --driver aws` against moto's CloudFormation, EC2, Redshift
 *    and Secrets Manager, with `snapshot: none`: moto answers `!Ref` of a Redshift cluster with
 *    a Python object's repr, so the password step after a snapshot restore cannot find the
 *    cluster (the driver's own moto tests cover that step, patching the output). moto skips
 *    AWS::SecretsManager::Secret (gap 2 in test/drivers/aws/moto-aws.ts), so this test creates
 *    the two secrets under the names the template's outputs point at; the template is
 *    shadow-environment.yaml with moto's host image (gap 1) and literal secret ARNs.
 *  - configure: real `shadowops inventory`; Ansible is a stand-in that records its call (moto's
 *    EC2 host does not exist to SSH into).
 *  - migrate: real `shadowops migrate`, which reads the warehouse login from Secrets Manager and
 *    then stops: moto runs no Redshift server behind its endpoint, and nothing listens where
 *    SHADOWOPS_WAREHOUSE_ADDRESS points (a tunnel that was not opened), so the connection is
 *    refused. The step must fail saying so, the DAG step is skipped, the bot is told why, the
 *    stack is deleted.
 *  - clean_up: real `shadowops down`. moto's DeleteStack leaves the VPC, route table and internet
 *    gateway (gap 4), which the driver then finds by tag and reports: the step fails naming
 *    them and leaving them to the reaper's TTL, as it would for any leftover on AWS. The test then
 *    deletes them, as CloudFormation would have.
 *  - run_dag: skipped here. orb-aws-execution.integration.test.ts runs the same job to its verdict
 *    on moto, with stand-ins for what moto cannot run (the host with a real Airflow 3, and a TLS
 *    PostgreSQL cluster answering as the Redshift endpoint): a passing DAG ends in the bot's passing
 *    check, a failing one in a failed check and a deleted stack.
 * Bad input on aws: an unreachable warehouse, an unreachable callback URL, a missing OIDC token, a
 * missing environment.
 */
import { execFileSync } from "node:child_process";
import { ListStacksCommand } from "@aws-sdk/client-cloudformation";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { closedPort } from "../support/closed-port.js";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pipelineParameters } from "../../src/bot/runner/trigger-pipeline.js";
import { packOrb } from "../../scripts/orb-pack.js";
import { applyEnv, createProduction, inspector, motoClients, motoEnv, motoTemplate, REGION } from "../drivers/aws/moto-aws.js";
import { REPO_ROOT } from "../support/run-cli.js";
import { startMoto, type MotoServer } from "../support/start-moto.js";
import { asMap } from "./orb-checks.js";
import { awsJobSetup, expectStackGoneAndNetworkLeftToTheReaper, prepareAwsProject, statuses, stepOutput } from "./orb-aws-support.js";
import type { FakeTools } from "./fake-tools.js";
import { jobsForPipeline, runOrbJob, type JobRun, type Params } from "./run-orb-job.js";
import { startOrbTestBot, type OrbTestBot } from "./serve-bot.js";

const SECRET = "orb-aws-callback-secret";
const { orb } = packOrb();
const verbose = process.env.ORB_RUN_VERBOSE === "1";
let moto: MotoServer;
let bot: OrbTestBot;
let fakes: FakeTools;
let dir: string;
let env: NodeJS.ProcessEnv;
let restoreEnv: () => void;

beforeAll(async () => {
  execFileSync("npm", ["run", "--silent", "build"], { cwd: REPO_ROOT, stdio: "inherit" });
  dir = mkdtempSync(join(tmpdir(), "shadowops-orb-aws-"));
  moto = await startMoto();
  restoreEnv = applyEnv(motoEnv(moto));
  await createProduction(motoClients().redshift, ["prod-1"]);
  bot = await startOrbTestBot(SECRET);
  const setup = awsJobSetup(dir, moto, { url: bot.url, secret: SECRET });
  fakes = setup.fakes;
  env = {
    ...setup.env,
    // The full template (its warehouse outputs too: no job here updates a stack, gap 6).
    SHADOWOPS_TEMPLATE: motoTemplate(dir, { literalSecretOutputs: true }),
    // Where a tunnel to the warehouse would listen: nothing does, moto has no Redshift server.
    SHADOWOPS_WAREHOUSE_ADDRESS: `127.0.0.1:${await closedPort()}`,
    // Ansible cannot reach moto's make-believe host: the stand-in records the call.
    SHADOWOPS_ANSIBLE_PLAYBOOK: join(fakes.bin, "ansible-playbook"),
    SHADOWOPS_PRODUCTION_CLUSTER: "production",
  };
}, 300_000);

afterAll(async () => {
  await bot?.close();
  restoreEnv?.();
  await moto?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function run(job: string, parameters: Params, cwd: string): Promise<JobRun> {
  const result = await runOrbJob({ orb, job, parameters, cwd, env, onOutput: verbose ? (chunk) => process.stderr.write(chunk) : undefined });
  if (verbose) process.stderr.write(`\n${job}: ${result.steps.map((step) => `${step.from ?? step.name} ${step.status} ${step.durationMs} ms`).join(", ")}\n`);
  return result;
}


async function liveStacks(): Promise<string[]> {
  const summaries = (await inspector().cloudFormation.send(new ListStacksCommand({}))).StackSummaries ?? [];
  return summaries.filter((stack) => stack.StackStatus !== "DELETE_COMPLETE").map((stack) => stack.StackName!).sort();
}


describe("the orb's aws jobs on the AWS API emulator", { timeout: 300_000 }, () => {
  it("shadow_test provisions the stack, configures it, logs in to migrate, and reports why the warehouse could not be reached", async () => {
    const { record, environmentCheck } = bot.seedEnvironment("orb-aws-pr-2");
    const { project } = await prepareAwsProject(dir, "orb-aws-pr-2");
    const usage = asMap(asMap(asMap(orb.examples).test_pull_requests_with_the_bot).usage);
    const [selected] = jobsForPipeline(usage, { ...pipelineParameters(record, "test", 4 * 3_600_000) });

    const result = await run(selected!.job, { ...selected!.parameters, region: REGION, snapshot: "none", checkout: false, work_dir: join(dir, "work") }, project);

    expect(result.ok).toBe(false);
    expect(statuses(result)).toEqual([
      "install:success", "assume_role:success", "provision:success", "configure:success", "migrate:failed", "run_dag:skipped", "report:success", "clean_up:failed", "check_result:skipped",
    ]);
    expect(stepOutput(result, "assume_role")).toMatch(/assumed arn:aws:iam::123456789012:role\/shadowops-deployer as session shadowops-\d+/);
    expect(stepOutput(result, "provision")).toMatch(/creating stack shadowops-orb-aws-pr-2 in us-east-1/);
    expect(stepOutput(result, "configure")).toContain("inventory of orb-aws-pr-2 written to");
    const ansible = fakes.calls().filter((call) => call[0] === "ansible-playbook");
    expect(ansible.length).toBeGreaterThan(0);
    expect(ansible[0]!.join(" ")).toMatch(/-i \S+inventory\.yml \S+ansible\/shadow-node\.yml -e @\S+workload\.json/);
    // migrate read the login (a missing secret fails with ResourceNotFoundException first) and then
    // found no warehouse: the step says so, and the DAG step is skipped.
    const migrate = stepOutput(result, "migrate");
    expect(migrate).toContain("shadowops migrate stopped with exit 3: cannot reach the shadow warehouse at 127.0.0.1:");
    expect(migrate).not.toMatch(/GetSecretValue|ResourceNotFound/);

    // The bot saw the environment come up, with the stack's Airflow URL and its estimated cost …
    expect(bot.checkUpdates(environmentCheck).map((body) => body.conclusion ?? body.status)).toContain("success");
    expect(bot.store.getEnvironment("orb-aws-pr-2")).toMatchObject({ airflowUrl: expect.stringMatching(/^http:\/\/[\d.]+:8080/), costPerHourUsd: expect.any(Number) });
    // … and then why the test could not run, from the CLI's own message.
    expect(stepOutput(result, "report")).toMatch(/sent failed event .* HTTP 200, applied/);
    expect(bot.store.getEnvironment("orb-aws-pr-2")?.failure).toMatch(/^cannot reach the shadow warehouse at 127\.0\.0\.1:\d+/);
    // The test did not run to its end, so clean_up deleted the stack; what moto left is named.
    expect(stepOutput(result, "clean_up")).toContain("destroying orb-aws-pr-2: the shadow test did not run to its end");
    await expectStackGoneAndNetworkLeftToTheReaper(result, "orb-aws-pr-2");
  });

  it("an unreachable callback URL fails the report step naming the URL, and the stack is still deleted", async () => {
    const { record } = bot.seedEnvironment("orb-aws-pr-3");
    const { project } = await prepareAwsProject(dir, "orb-aws-pr-3");
    const url = `http://127.0.0.1:${await closedPort()}`;
    const usage = asMap(asMap(asMap(orb.examples).test_pull_requests_with_the_bot).usage);
    const [selected] = jobsForPipeline(usage, { ...pipelineParameters(record, "test", 4 * 3_600_000) });

    const result = await runOrbJob({
      orb,
      job: selected!.job,
      // Three retries rather than the default six (about a minute): the failure is the same, sooner.
      parameters: { ...selected!.parameters, region: REGION, snapshot: "none", checkout: false, work_dir: join(dir, "work-unreachable"), callback_retries: 3 },
      cwd: project,
      env: { ...env, SHADOWOPS_CALLBACK_URL: url },
    });

    expect(result.ok).toBe(false);
    expect(statuses(result)).toEqual([
      "install:success", "assume_role:success", "provision:success", "configure:success", "migrate:failed", "run_dag:skipped", "report:failed", "clean_up:failed", "check_result:skipped",
    ]);
    expect(stepOutput(result, "provision")).toMatch(/warning: could not deliver the phase callback .*\(--best-effort: carrying on\)/);
    expect(stepOutput(result, "report")).toContain(`could not deliver the failed callback for orb-aws-pr-3 to ${url}/shadowops/callbacks after 4 attempts`);
    expect(stepOutput(result, "report")).toContain("shadowops orb: the bot was not told how the shadow test of orb-aws-pr-3 ended");
    expect(stepOutput(result, "clean_up")).toContain("destroying orb-aws-pr-3: the shadow test did not run to its end");
    await expectStackGoneAndNetworkLeftToTheReaper(result, "orb-aws-pr-3");
    expect(result.output).not.toContain(SECRET);
  });

  it("a missing OIDC token stops the job before anything is created in AWS", async () => {
    const { record, environmentCheck } = bot.seedEnvironment("orb-aws-pr-4");
    const usage = asMap(asMap(asMap(orb.examples).test_pull_requests_with_the_bot).usage);
    const [selected] = jobsForPipeline(usage, { ...pipelineParameters(record, "test", 4 * 3_600_000) });

    const result = await runOrbJob({
      orb,
      job: selected!.job,
      parameters: { ...selected!.parameters, region: REGION, checkout: false, work_dir: join(dir, "work-no-oidc") },
      cwd: dir,
      env: { ...env, CIRCLE_OIDC_TOKEN_V2: "" },
    });

    expect(result.ok).toBe(false);
    expect(statuses(result).slice(0, 6)).toEqual(["install:success", "assume_role:failed", "provision:skipped", "configure:skipped", "migrate:skipped", "run_dag:skipped"]);
    expect(stepOutput(result, "assume_role")).toContain("shadowops orb: CIRCLE_OIDC_TOKEN_V2 is not set, so the AWS role cannot be assumed");
    expect(stepOutput(result, "clean_up")).toContain("no environment was provisioned: nothing to clean up");
    expect(bot.checkUpdates(environmentCheck).at(-1)).toMatchObject({ conclusion: "failure" });
    expect(await inspector().stackExists("shadowops-orb-aws-pr-4")).toBe(false);
  });

  it("a missing environment parameter fails provision with the parameter's name, and creates nothing", async () => {
    const stacksBefore = await liveStacks();
    const result = await run("shadow_test", { role_arn: "arn:aws:iam::123456789012:role/shadowops-deployer", region: REGION, checkout: false, work_dir: join(dir, "work-no-env") }, dir);

    expect(result.ok).toBe(false);
    expect(statuses(result).slice(0, 4)).toEqual(["install:success", "assume_role:success", "provision:failed", "configure:skipped"]);
    expect(stepOutput(result, "provision")).toContain("shadowops orb: the environment parameter is empty: pass the environment id");
    expect(stepOutput(result, "report")).toContain("nothing to report: the environment parameter is empty");
    expect(await liveStacks()).toEqual(stacksBefore);
  });

  it("the reaper job lists expired stacks with dry_run", async () => {
    const usage = asMap(asMap(asMap(orb.examples).reap_expired_shadows_nightly).usage);
    const [selected] = jobsForPipeline(usage, {}, { "pipeline.trigger_source": "scheduled_pipeline", "pipeline.schedule.name": "nightly_reaper" });
    const result = await run(selected!.job, { ...selected!.parameters, region: REGION, dry_run: true }, dir);
    expect(result.ok, result.output).toBe(true);
    expect(stepOutput(result, "reap")).toMatch(/no shadow in us-east-1 has expired|dry run/);
  });
});
