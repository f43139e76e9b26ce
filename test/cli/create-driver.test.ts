import { describe, expect, it } from "vitest";
import { createDriver } from "../../src/cli/create-driver.js";
import type { AwsDriverOptions } from "../../src/drivers/aws/aws-driver.js";
import type { LocalDriverOptions } from "../../src/drivers/local/local-driver.js";
import { exitOf } from "../support/exit-of.js";

/** The options createDriver handed the local driver (it does no I/O before a command runs). */
function localOptions(env: NodeJS.ProcessEnv): LocalDriverOptions {
  return (createDriver({ driver: "local" }, env) as unknown as { options: LocalDriverOptions }).options;
}

/** The settings createDriver handed the aws driver (it makes no AWS call before a command runs). */
function awsSettings(env: NodeJS.ProcessEnv): AwsDriverOptions["settings"] {
  return (createDriver({ driver: "aws", region: "us-east-1" }, env) as unknown as { options: AwsDriverOptions }).options.settings;
}

describe("createDriver: SHADOWOPS_TASK_RETRIES", () => {
  it("passes a whole number on, and leaves the DAG's default when unset or empty", () => {
    expect(localOptions({ SHADOWOPS_TASK_RETRIES: "0" }).taskRetries).toBe(0);
    expect(localOptions({ SHADOWOPS_TASK_RETRIES: "3" }).taskRetries).toBe(3);
    expect(localOptions({}).taskRetries).toBeUndefined();
    expect(localOptions({ SHADOWOPS_TASK_RETRIES: "" }).taskRetries).toBeUndefined();
  });

  it.each(["abc", "-1", "1.5", "2x", "1e3"])("refuses %j as bad input (exit 2), naming the variable and the value", async (value) => {
    const { exitCode, message } = await exitOf(() => createDriver({ driver: "local" }, { SHADOWOPS_TASK_RETRIES: value }));
    expect(exitCode).toBe(2);
    expect(message).toBe(`SHADOWOPS_TASK_RETRIES: "${value}" is not a number of retries: use a whole number of 0 or more, e.g. 0 or 2`);
  });
});

describe("createDriver: SHADOWOPS_WAREHOUSE_NODES", () => {
  it("passes a whole number on, and leaves the default when unset or empty", () => {
    expect(awsSettings({ SHADOWOPS_WAREHOUSE_NODES: "2" }).nodes).toBe(2);
    expect(awsSettings({}).nodes).toBeUndefined();
    expect(awsSettings({ SHADOWOPS_WAREHOUSE_NODES: "" }).nodes).toBeUndefined();
  });

  it("lets --nodes win over the variable", () => {
    const driver = createDriver({ driver: "aws", region: "us-east-1", nodes: 3 }, { SHADOWOPS_WAREHOUSE_NODES: "abc" });
    expect((driver as unknown as { options: AwsDriverOptions }).options.settings.nodes).toBe(3);
  });

  it.each(["abc", "0", "-1", "1.5", "2x"])("refuses %j as bad input (exit 2), naming the variable and the value as given", async (value) => {
    const { exitCode, message } = await exitOf(() => createDriver({ driver: "aws", region: "us-east-1" }, { SHADOWOPS_WAREHOUSE_NODES: value }));
    expect(exitCode).toBe(2);
    expect(message).toBe(`SHADOWOPS_WAREHOUSE_NODES: "${value}" is not a number of warehouse nodes: use a whole number of 1 or more, e.g. 1 or 2`);
  });
});
