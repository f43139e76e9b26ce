import type { CloudFormationClient, Stack } from "@aws-sdk/client-cloudformation";
import { describe, expect, it } from "vitest";
import type { AirflowClientOptions } from "../../../src/airflow/airflow-types.js";
import { AirflowClient } from "../../../src/airflow/airflow-client.js";
import { createAwsDriver } from "../../../src/cli/create-driver.js";
import { toExitError } from "../../../src/cli/to-exit-error.js";
import { AwsDriver, type AwsClients } from "../../../src/drivers/aws/aws-driver.js";
import { InvalidSettingError } from "../../../src/drivers/aws/aws-errors.js";
import { pgWarehouseConnector } from "../../../src/drivers/aws/connect-warehouse.js";
import { airflowUrlThrough, parseTunnelAddress } from "../../../src/drivers/aws/tunnel-address.js";

describe("tunnel addresses (SHADOWOPS_WAREHOUSE_ADDRESS, SHADOWOPS_AIRFLOW_ADDRESS)", () => {
  it("reads host:port", () => {
    expect(parseTunnelAddress("SHADOWOPS_AIRFLOW_ADDRESS", "127.0.0.1:18080", "x")).toEqual({ host: "127.0.0.1", port: 18080 });
    expect(parseTunnelAddress("SHADOWOPS_AIRFLOW_ADDRESS", " localhost:8080 ", "x")).toEqual({ host: "localhost", port: 8080 });
  });

  it.each(["127.0.0.1", ":8080", "127.0.0.1:", "127.0.0.1:0", "127.0.0.1:70000", "127.0.0.1:80a"])("refuses %j as bad input, naming the variable", (value) => {
    const error = (() => {
      try {
        parseTunnelAddress("SHADOWOPS_AIRFLOW_ADDRESS", value, "127.0.0.1:18080");
      } catch (caught) {
        return caught;
      }
    })();
    expect(error).toBeInstanceOf(InvalidSettingError);
    expect((error as Error).message).toBe(`SHADOWOPS_AIRFLOW_ADDRESS "${value}" must be host:port, for example 127.0.0.1:18080`);
    expect(toExitError(error).exitCode).toBe(2);
  });

  it("replaces only the host and port of the stack's Airflow URL", () => {
    const tunnel = { host: "127.0.0.1", port: 18080 };
    expect(airflowUrlThrough("http://203.0.113.10:8080", tunnel)).toBe("http://127.0.0.1:18080");
    expect(airflowUrlThrough("http://203.0.113.10:8080/", tunnel)).toBe("http://127.0.0.1:18080/");
    expect(airflowUrlThrough("https://airflow.example.com/team-a", tunnel)).toBe("https://127.0.0.1:18080/team-a");
  });

  it("a malformed SHADOWOPS_AIRFLOW_ADDRESS stops the CLI's aws driver before any AWS call", () => {
    expect(() => createAwsDriver({ region: "us-east-1" }, { SHADOWOPS_AIRFLOW_ADDRESS: "airflow.internal" })).toThrow(
      /SHADOWOPS_AIRFLOW_ADDRESS "airflow.internal" must be host:port/,
    );
    expect(() => createAwsDriver({ region: "us-east-1" }, { SHADOWOPS_AIRFLOW_ADDRESS: "" })).not.toThrow();
  });

  it("a malformed SHADOWOPS_WAREHOUSE_ADDRESS is bad input, found before the secret is read", async () => {
    const reads: string[] = [];
    const connect = pgWarehouseConnector({ readLogin: async (arn) => (reads.push(arn), { username: "u", password: "p" }), address: "15439" });
    const error = await connect({ host: "c.x.us-east-1.redshift.amazonaws.com", port: 5439, database: "warehouse", secretArn: "arn:s" }).catch((caught) => caught);
    expect(error).toBeInstanceOf(InvalidSettingError);
    expect(error.message).toBe('SHADOWOPS_WAREHOUSE_ADDRESS "15439" must be host:port, for example 127.0.0.1:15439');
    expect(reads).toEqual([]);
  });
});

describe("the aws driver's Airflow client with SHADOWOPS_AIRFLOW_ADDRESS", () => {
  const stack: Stack = {
    StackName: "shadowops-pr-7",
    StackStatus: "CREATE_COMPLETE",
    CreationTime: new Date("2026-01-01T00:00:00Z"),
    Tags: [{ Key: "shadowops:environment", Value: "pr-7" }],
    Outputs: [
      { OutputKey: "AirflowUrl", OutputValue: "http://203.0.113.10:8080" },
      { OutputKey: "AirflowSecretArn", OutputValue: "arn:aws:secretsmanager:us-east-1:123456789012:secret:shadowops/pr-7/airflow-abc" },
    ],
  };
  const clients = { cloudFormation: { send: async () => ({ Stacks: [stack] }) } as unknown as CloudFormationClient } as AwsClients;

  /**
   * The connection run-dag's client is built with, and what run-dag says when nothing answers
   * there (the DAG run itself is not the point here).
   */
  async function airflowConnection(airflowAddress: string | undefined): Promise<{ connection: AirflowClientOptions; airflowUrl?: string; message: string }> {
    let connection: AirflowClientOptions | undefined;
    const driver = new AwsDriver({
      clients,
      settings: { region: "us-east-1", templatePath: "unused.yaml" },
      airflowAddress,
      readLogin: async () => ({ username: "admin", password: "from-the-secret" }),
      airflowClient: (options) => {
        connection = options;
        return new AirflowClient({ ...options, fetch: async () => Promise.reject(Object.assign(new TypeError("fetch failed"), { cause: { code: "ECONNREFUSED" } })) });
      },
    });
    const error = await driver.runDag({ environment: "pr-7", dagId: "warehouse_metrics", progress: () => undefined }).then(
      () => null,
      (failure: unknown) => failure as Error,
    );
    expect(error, "run-dag with nothing answering").not.toBeNull();
    return { connection: connection!, airflowUrl: (await driver.get("pr-7"))?.airflowUrl, message: error!.message };
  }

  it("connects through the tunnel with the secret's login, and still shows the stack's URL", async () => {
    const { connection, airflowUrl } = await airflowConnection("127.0.0.1:18080");
    expect(connection).toEqual({ baseUrl: "http://127.0.0.1:18080", username: "admin", password: "from-the-secret" });
    expect(airflowUrl).toBe("http://203.0.113.10:8080");
  });

  it("says to check the tunnel when nothing answers through it", async () => {
    const { message } = await airflowConnection("127.0.0.1:18080");
    expect(message).toContain("cannot reach the shadow host's Airflow through the tunnel at http://127.0.0.1:18080");
    expect(message).toContain("SHADOWOPS_AIRFLOW_ADDRESS");
  });

  it("says how to open a tunnel when the stack's Airflow URL does not answer", async () => {
    const { message } = await airflowConnection(undefined);
    expect(message).toContain("cannot reach the shadow host's Airflow at http://203.0.113.10:8080");
    expect(message).toContain("AWS-StartPortForwardingSession");
    expect(message).toContain("SHADOWOPS_AIRFLOW_ADDRESS=127.0.0.1:18080");
  });

  it("connects to the stack's Airflow URL without one", async () => {
    const { connection } = await airflowConnection(undefined);
    expect(connection.baseUrl).toBe("http://203.0.113.10:8080");
  });
});
