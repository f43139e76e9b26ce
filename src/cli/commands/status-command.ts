import { UnknownEnvironmentError } from "../../drivers/driver-errors.js";
import { airflowComponentsAlive, type AirflowInstanceRecord } from "../../drivers/local/airflow-instance.js";
import { EXIT } from "../cli-errors.js";
import { createDriver } from "../create-driver.js";
import { printOutput } from "../print-output.js";

export interface StatusCommandOptions {
  driver: string;
  env: string;
  json?: boolean;
}

export async function runStatusCommand(options: StatusCommandOptions): Promise<number> {
  const driver = createDriver(options);
  const record = await driver.get(options.env);
  if (!record) throw new UnknownEnvironmentError(options.env, (await driver.list()).map((r) => r.name));
  const airflow = record.details.airflow as AirflowInstanceRecord | undefined;
  const processes = airflow ? airflowComponentsAlive(airflow) : {};
  const data = {
    name: record.name,
    driver: record.driver,
    state: record.state,
    createdAt: record.createdAt,
    expiresAt: record.expiresAt,
    airflowUrl: record.airflowUrl,
    database: record.details.database,
    processes,
  };
  printOutput({
    json: Boolean(options.json),
    data,
    text: () =>
      [
        `environment ${record.name} (${record.driver}): ${record.state}`,
        `  created:   ${record.createdAt}`,
        ...(record.expiresAt ? [`  expires:   ${record.expiresAt}`] : []),
        ...(record.airflowUrl ? [`  Airflow:   ${record.airflowUrl}`] : []),
        `  database:  ${String(record.details.database)}`,
        ...Object.entries(processes).map(([name, alive]) => `  ${name.padEnd(14)} ${alive ? "running" : "NOT RUNNING"}`),
      ].join("\n"),
  });
  return EXIT.ok;
}
