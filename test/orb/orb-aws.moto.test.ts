/**
 * The orb's aws jobs against moto (the AWS API emulator, in server mode), reporting to the bot:
 * assume the role (an `aws` stand-in answers STS, since moto's credentials are fake anyway),
 * provision a CloudFormation shadow with `shadowops up --driver aws`, write its inventory, and
 * the reaper and destroy jobs. moto's gaps (see test/drivers/aws/moto-aws.ts) decide how far a
 * shadow test gets: it has no Secrets Manager secrets (gap 2), so the migrations cannot log in
 * to the warehouse: the job must then say so to the bot and leave nothing running.
 */
import { execFileSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pipelineParameters } from "../../src/bot/runner/trigger-pipeline.js";
import { packOrb } from "../../scripts/orb-pack.js";
import { applyEnv, createProduction, inspector, motoClients, motoEnv, motoTemplate, REGION } from "../drivers/aws/moto-aws.js";
import { REPO_ROOT } from "../support/run-cli.js";
import { startMoto, type MotoServer } from "../support/start-moto.js";
import { asMap } from "./orb-checks.js";
import { writeFakeTools, type FakeTools } from "./fake-tools.js";
import { jobsForPipeline, runOrbJob, type JobRun, type Params } from "./run-orb-job.js";
import { startOrbTestBot, type OrbTestBot } from "./serve-bot.js";

const SECRET = "orb-aws-callback-secret";
const { orb } = packOrb();
const verbose = process.env.ORB_RUN_VERBOSE === "1";
let moto: MotoServer;
let bot: OrbTestBot;
let fakes: FakeTools;
let dir: string;
let cliBin: string;
let env: NodeJS.ProcessEnv;
let restoreEnv: () => void;

beforeAll(async () => {
  execFileSync("npm", ["run", "--silent", "build"], { cwd: REPO_ROOT, stdio: "inherit" });
  dir = mkdtempSync(join(tmpdir(), "shadowops-orb-aws-"));
  cliBin = join(dir, "cli-bin");
  mkdirSync(cliBin);
  symlinkSync(join(REPO_ROOT, "bin", "shadowops.js"), join(cliBin, "shadowops"));
  fakes = writeFakeTools(join(dir, "fakes"), "0.0.0");
  moto = await startMoto();
  restoreEnv = applyEnv(motoEnv(moto));
  await createProduction(motoClients().redshift, ["prod-1"]);
  bot = await startOrbTestBot(SECRET);
  env = {
    ...motoEnv(moto),
    // The real CLI first; the aws and ansible-playbook stand-ins after it.
    PATH: `${cliBin}:${fakes.bin}:${process.env.PATH}`,
    FAKE_TOOLS_LOG: fakes.log,
    CIRCLE_OIDC_TOKEN_V2: "header.circleci-oidc-token-for-tests.signature",
    SHADOWOPS_TEMPLATE: motoTemplate(dir, { withoutWarehouseOutputs: true, literalSecretOutputs: true }),
    // Ansible cannot reach moto's make-believe host: the stand-in records the call.
    SHADOWOPS_ANSIBLE_PLAYBOOK: join(fakes.bin, "ansible-playbook"),
    SHADOWOPS_ALLOWED_CIDR: "198.51.100.7/32",
    SHADOWOPS_PRODUCTION_CLUSTER: "production",
    SHADOWOPS_CALLBACK_URL: bot.url,
    SHADOWOPS_CALLBACK_SECRET: SECRET,
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

const statuses = (result: JobRun) => result.steps.map((step) => `${step.from ?? step.name}:${step.status}`);
const stepOutput = (result: JobRun, from: string) => result.steps.filter((step) => step.from === from).map((step) => step.output).join("");

describe("the orb's aws jobs on the AWS API emulator", { timeout: 300_000 }, () => {
  it("shadow_test provisions the stack, tells the bot it is ready, and reports why the test could not run", async () => {
    const { record, environmentCheck } = bot.seedEnvironment("orb-aws-pr-2");
    const project = join(dir, "project");
    for (const part of ["dags", "r", "migrations"]) cpSync(join(REPO_ROOT, part), join(project, part), { recursive: true });
    const usage = asMap(asMap(asMap(orb.examples).test_pull_requests_with_the_bot).usage);
    const [selected] = jobsForPipeline(usage, { ...pipelineParameters(record, "test", 4 * 3_600_000) });

    const result = await run(selected!.job, { ...selected!.parameters, region: REGION, checkout: false, work_dir: join(dir, "work") }, project);

    expect(result.ok).toBe(false);
    expect(statuses(result).slice(0, 5)).toEqual(["install:success", "assume_role:success", "provision:success", "configure:success", "run_dag:failed"]);
    expect(stepOutput(result, "assume_role")).toMatch(/assumed arn:aws:iam::123456789012:role\/shadowops-deployer as session shadowops-\d+/);
    expect(stepOutput(result, "provision")).toMatch(/creating stack shadowops-orb-aws-pr-2 in us-east-1/);
    expect(stepOutput(result, "configure")).toContain("inventory of orb-aws-pr-2 written to");
    const ansible = fakes.calls().filter((call) => call[0] === "ansible-playbook");
    expect(ansible.length).toBeGreaterThan(0);
    expect(ansible[0]!.join(" ")).toMatch(/-i \S+inventory\.yml \S+ansible\/shadow-node\.yml -e @\S+workload\.json/);

    // The bot saw the environment come up, with the stack's Airflow URL and its estimated cost …
    expect(bot.checkUpdates(environmentCheck).map((body) => body.conclusion ?? body.status)).toContain("success");
    expect(bot.store.getEnvironment("orb-aws-pr-2")).toMatchObject({ airflowUrl: expect.stringMatching(/^http:\/\/[\d.]+:8080/), costPerHourUsd: expect.any(Number) });
    // … and then why the test could not run, from the CLI's own message.
    expect(stepOutput(result, "report")).toMatch(/sent failed event .* HTTP 200, applied/);
    const failure = bot.store.getEnvironment("orb-aws-pr-2")?.failure ?? "";
    expect(failure.length).toBeGreaterThan(10);
    expect(stepOutput(result, "run_dag")).toContain(failure.replace(/ \(CircleCI job: .*\)$/, ""));
    // The stack was deleted by the failed test or by clean_up.
    expect(await inspector().stackExists("shadowops-orb-aws-pr-2")).toBe(false);
  });

  it("the reaper job lists expired stacks with dry_run", async () => {
    const usage = asMap(asMap(asMap(orb.examples).reap_expired_shadows_nightly).usage);
    const [selected] = jobsForPipeline(usage, {}, { "pipeline.trigger_source": "scheduled_pipeline", "pipeline.schedule.name": "nightly_reaper" });
    const result = await run(selected!.job, { ...selected!.parameters, region: REGION, dry_run: true }, dir);
    expect(result.ok, result.output).toBe(true);
    expect(stepOutput(result, "reap")).toMatch(/no shadow in us-east-1 has expired|dry run/);
  });
});
