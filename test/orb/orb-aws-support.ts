/**
 * What the orb's aws job tests share (orb-aws.moto.test.ts, orb-aws-execution.integration.test.ts):
 * reading a job's steps, the project a job checks out with the secrets moto skips, and the check
 * that a job deleted the stack and named what moto's DeleteStack keeps.
 */
import { cpSync, mkdirSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { expect } from "vitest";
import { createSkippedSecret, deleteNetwork, inspector, motoEnv } from "../drivers/aws/moto-aws.js";
import { REPO_ROOT } from "../support/run-cli.js";
import type { MotoServer } from "../support/start-moto.js";
import { writeFakeTools, type FakeTools } from "./fake-tools.js";
import type { JobRun } from "./run-orb-job.js";

export interface AwsJobSetup {
  env: NodeJS.ProcessEnv;
  fakes: FakeTools;
}

/**
 * What CircleCI's machine gives an aws job here: moto's endpoint and credentials, the built CLI
 * first on PATH and the stand-ins (fake-tools.ts: `aws` for STS, `ansible-playbook`) after it,
 * an OIDC token, and the bot's callback address. Each test adds what its steps need.
 */
export function awsJobSetup(dir: string, moto: MotoServer, callback: { url: string; secret: string }): AwsJobSetup {
  const cliBin = join(dir, "cli-bin");
  mkdirSync(cliBin);
  symlinkSync(join(REPO_ROOT, "bin", "shadowops.js"), join(cliBin, "shadowops"));
  const fakes = writeFakeTools(join(dir, "fakes"), "0.0.0");
  const env = {
    ...motoEnv(moto),
    PATH: `${cliBin}:${fakes.bin}:${process.env.PATH}`,
    FAKE_TOOLS_LOG: fakes.log,
    CIRCLE_OIDC_TOKEN_V2: "header.circleci-oidc-token-for-tests.signature",
    SHADOWOPS_ALLOWED_CIDR: "198.51.100.7/32",
    SHADOWOPS_CALLBACK_URL: callback.url,
    SHADOWOPS_CALLBACK_SECRET: callback.secret,
  };
  return { env, fakes };
}

export const statuses = (result: JobRun) => result.steps.map((step) => `${step.from ?? step.name}:${step.status}`);
export const stepOutput = (result: JobRun, from: string) => result.steps.filter((step) => step.from === from).map((step) => step.output).join("");

/**
 * A copy of the repo's workload in `dir` (what the job would check out, which a test may break),
 * and the two secrets CloudFormation would have made for `environment` (moto skips them, gap 2).
 */
export async function prepareAwsProject(
  dir: string,
  environment: string,
  warehouseUsername = "warehouse_admin",
): Promise<{ project: string; warehousePassword: string; airflowPassword: string }> {
  const project = join(dir, `project-${environment}`);
  for (const part of ["dags", "r", "migrations"]) cpSync(join(REPO_ROOT, part), join(project, part), { recursive: true });
  const warehouse = await createSkippedSecret(environment, "warehouse", warehouseUsername);
  const airflow = await createSkippedSecret(environment, "airflow", "admin");
  return { project, warehousePassword: warehouse.password, airflowPassword: airflow.password };
}

/**
 * After the step `from` (clean_up, or destroy's destroy) ran `shadowops down`: the stack is
 * deleted, and only the network moto's DeleteStack keeps (gap 4) is left, named in the step's
 * output with the reaper as its fallback. Then deleted, as CloudFormation would have.
 */
export async function expectStackGoneAndNetworkLeftToTheReaper(result: JobRun, environment: string, from = "clean_up"): Promise<void> {
  expect(await inspector().stackExists(`shadowops-${environment}`)).toBe(false);
  const output = stepOutput(result, from);
  expect(output).toContain(`shadowops orb: could not destroy ${environment} (see above): the reaper destroys it once its TTL has passed`);
  const leftovers = output.split("\n").filter((line) => line.startsWith("  - "));
  expect(leftovers.length).toBeGreaterThan(0);
  for (const line of leftovers) expect(line).toMatch(/^ {2}- arn:aws:ec2:us-east-1:\d+:(vpc|subnet|route-table|internet-gateway|security-group)\//);
  await deleteNetwork(inspector().ec2, /vpc\/(vpc-\w+)/.exec(output)![1]!);
}
