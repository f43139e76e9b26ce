import type { AwsDetails } from "../../drivers/aws/aws-driver.js";
import { UnknownEnvironmentError } from "../../drivers/driver-errors.js";
import { airflowComponentsAlive, type AirflowInstanceRecord } from "../../drivers/local/airflow-instance.js";
import type { EnvironmentRecord } from "../../drivers/shadow-driver.js";
import { EXIT } from "../cli-errors.js";
import { createDriver, type DriverOptions } from "../create-driver.js";
import { printOutput } from "../print-output.js";

export interface StatusCommandOptions extends DriverOptions {
  env: string;
  json?: boolean;
}

export async function runStatusCommand(options: StatusCommandOptions): Promise<number> {
  const driver = createDriver(options);
  const record = await driver.get(options.env);
  if (!record) throw new UnknownEnvironmentError(options.env, (await driver.list()).map((r) => r.name));
  const common = {
    name: record.name,
    driver: record.driver,
    state: record.state,
    createdAt: record.createdAt,
    expiresAt: record.expiresAt,
    airflowUrl: record.airflowUrl,
  };
  const head = [
    `environment ${record.name} (${record.driver}): ${record.state}`,
    `  created:   ${record.createdAt}`,
    ...(record.expiresAt ? [`  expires:   ${record.expiresAt}`] : []),
    ...(record.airflowUrl ? [`  Airflow:   ${record.airflowUrl}`] : []),
  ];
  if (record.driver === "aws") {
    const aws = awsStatus(record);
    printOutput({ json: Boolean(options.json), data: { ...common, ...aws.data }, text: () => [...head, ...aws.lines].join("\n") });
    return EXIT.ok;
  }
  const airflow = record.details.airflow as AirflowInstanceRecord | undefined;
  const processes = airflow ? airflowComponentsAlive(airflow) : {};
  printOutput({
    json: Boolean(options.json),
    data: { ...common, database: record.details.database, processes },
    text: () =>
      [
        ...head,
        `  database:  ${String(record.details.database)}`,
        ...Object.entries(processes).map(([name, alive]) => `  ${name.padEnd(14)} ${alive ? "running" : "NOT RUNNING"}`),
      ].join("\n"),
  });
  return EXIT.ok;
}

/** An AWS shadow: its stack, pull request, sizes and estimated cost. */
function awsStatus(record: EnvironmentRecord): { data: Record<string, unknown>; lines: string[] } {
  const details = record.details as unknown as AwsDetails;
  const { outputs, parameters } = details;
  return {
    data: {
      region: details.region,
      stack: { name: details.stackName, id: details.stackId, status: details.stackStatus, reason: details.stackStatusReason },
      repository: details.repository,
      pullRequest: details.pullRequest,
      commit: details.commit,
      snapshot: details.snapshot ?? null,
      host: { address: outputs.HostAddress, instanceId: outputs.HostInstanceId, instanceType: parameters.HostInstanceType },
      warehouse: {
        endpoint: outputs.WarehouseEndpoint,
        port: outputs.WarehousePort === undefined ? undefined : Number(outputs.WarehousePort),
        database: details.warehouseDatabase,
        nodeType: parameters.WarehouseNodeType,
        nodes: parameters.WarehouseNumberOfNodes === undefined ? undefined : Number(parameters.WarehouseNumberOfNodes),
      },
      cost: details.cost ?? null,
    },
    lines: [
      `  stack:     ${details.stackName} (${details.stackStatus}) in ${details.region}${details.stackStatusReason ? ` — ${details.stackStatusReason}` : ""}`,
      ...(details.repository ? [`  for:       ${details.repository}#${details.pullRequest} at ${details.commit?.slice(0, 12)}`] : []),
      `  host:      ${parameters.HostInstanceType ?? "?"}${outputs.HostAddress ? ` at ${outputs.HostAddress}` : ""}${outputs.HostInstanceId ? ` (${outputs.HostInstanceId})` : ""}`,
      `  warehouse: ${parameters.WarehouseNumberOfNodes ?? "?"} × ${parameters.WarehouseNodeType ?? "?"}, ${details.snapshot ? `restored from ${details.snapshot}` : "empty"}` +
        (outputs.WarehouseEndpoint ? `, ${outputs.WarehouseEndpoint}:${outputs.WarehousePort ?? 5439}/${details.warehouseDatabase}` : ""),
      ...(details.cost ? [`  cost:      ${details.cost.summary}`] : []),
    ],
  };
}
