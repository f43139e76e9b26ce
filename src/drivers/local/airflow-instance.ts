import { randomBytes } from "node:crypto";
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { AirflowClient } from "../../airflow/airflow-client.js";
import { waitForHealthy } from "../../airflow/wait-for-healthy.js";
import { AirflowStartError } from "../driver-errors.js";
import type { Progress } from "../progress.js";
import { migratedMetadataTemplate } from "./airflow-metadata-template.js";
import { airflowProcessEnv, installAirflowHint, type AirflowInstanceSettings } from "./airflow-settings.js";
import { processGroupAlive, spawnProcessGroup, stopProcessGroup } from "./process-group.js";

export const AIRFLOW_COMPONENTS = ["api-server", "scheduler", "dag-processor", "triggerer"] as const;
export type AirflowComponent = (typeof AIRFLOW_COMPONENTS)[number];

/** What is remembered about a running local Airflow, to reach it and stop it later. */
export interface AirflowInstanceRecord {
  home: string;
  logDir: string;
  port: number;
  url: string;
  username: string;
  password: string;
  /** Process group id of each component. */
  processGroups: Partial<Record<AirflowComponent, number>>;
}

export interface StartAirflowParams {
  venv: string;
  cacheDir: string;
  home: string;
  logDir: string;
  dagsFolder: string;
  rDir: string;
  ports: { api: number; workerLog: number; triggerLog: number };
  warehouseUri: string;
  taskRetries?: number;
  /** The admin login; default: admin with a generated password (a shadow node takes its secret's). */
  admin?: { username: string; password: string };
  timeoutMs: number;
  progress: Progress;
  signal?: AbortSignal;
  /** Called as soon as the processes exist, so a crash mid-start still knows what to stop. */
  onStarted: (record: AirflowInstanceRecord) => Promise<void>;
}

/** Start the four Airflow 3 components for one environment and wait until they are healthy. */
export async function startAirflow(params: StartAirflowParams): Promise<AirflowInstanceRecord> {
  const airflowBin = join(params.venv, "bin", "airflow");
  mkdirSync(params.home, { recursive: true });
  mkdirSync(params.logDir, { recursive: true });
  const username = params.admin?.username ?? "admin";
  const password = params.admin?.password ?? randomBytes(12).toString("base64url");
  const passwordsFile = join(params.home, "passwords.json");
  writeFileSync(passwordsFile, JSON.stringify({ [username]: password }), { mode: 0o600 });
  writeFileSync(join(params.home, "airflow.cfg"), "");

  const settings: AirflowInstanceSettings = {
    home: params.home,
    dagsFolder: params.dagsFolder,
    rDir: params.rDir,
    port: params.ports.api,
    workerLogPort: params.ports.workerLog,
    triggerLogPort: params.ports.triggerLog,
    username,
    passwordsFile,
    fernetKey: `${randomBytes(32).toString("base64url")}=`,
    secretKey: randomBytes(32).toString("hex"),
    jwtSecret: randomBytes(64).toString("hex"),
    pycacheDir: join(params.cacheDir, "pycache"),
    warehouseUri: params.warehouseUri,
    taskRetries: params.taskRetries,
  };
  const env = airflowProcessEnv(settings, process.env);
  const template = migratedMetadataTemplate({
    airflowBin,
    venv: params.venv,
    cacheDir: params.cacheDir,
    env,
    logFile: join(params.logDir, "db-migrate.log"),
  });
  copyFileSync(template, join(params.home, "airflow.db"));

  const url = `http://127.0.0.1:${settings.port}`;
  const record: AirflowInstanceRecord = { home: params.home, logDir: params.logDir, port: settings.port, url, username, password, processGroups: {} };
  const exits = new Map<AirflowComponent, string>();
  try {
    for (const component of AIRFLOW_COMPONENTS) {
      const args = component === "api-server" ? ["api-server", "--port", String(settings.port)] : [component];
      record.processGroups[component] = await spawnProcessGroup({
        command: airflowBin,
        args,
        cwd: params.home,
        env,
        logFile: logFileOf(params.logDir, component),
        remedy: installAirflowHint(params.venv),
        onExit: (how) => exits.set(component, how),
      });
    }
  } catch (error) {
    // onStarted has not run, so the caller's teardown does not know the components started so far.
    await stopAirflow(record);
    throw error;
  }
  await params.onStarted(record);
  params.progress({ phase: "up", message: `Airflow starting at ${url} (logs in ${params.logDir})` });

  try {
    await waitForHealthy({
      client: new AirflowClient({ baseUrl: url, username, password }),
      timeoutMs: params.timeoutMs,
      signal: params.signal,
      isAlive: () => {
        const [dead] = [...exits.entries()];
        return dead ? { alive: false, reason: `airflow ${dead[0]} stopped (${dead[1]})` } : true;
      },
    });
  } catch (error) {
    if (params.signal?.aborted) throw error;
    const [dead] = [...exits.keys()];
    const logFile = logFileOf(params.logDir, dead ?? "api-server");
    throw new AirflowStartError(`${(error as Error).message}\n${tailOfFile(logFile, 15)}`, logFile);
  }
  return record;
}

export async function stopAirflow(record: Pick<AirflowInstanceRecord, "processGroups">): Promise<void> {
  await Promise.all(Object.values(record.processGroups).map((pgid) => (pgid ? stopProcessGroup(pgid) : undefined)));
}

export function airflowComponentsAlive(record: Pick<AirflowInstanceRecord, "processGroups">): Record<string, boolean> {
  return Object.fromEntries(Object.entries(record.processGroups).map(([component, pgid]) => [component, pgid ? processGroupAlive(pgid) : false]));
}

export function logFileOf(logDir: string, component: AirflowComponent): string {
  return join(logDir, `${component}.log`);
}

function tailOfFile(file: string, lines: number): string {
  try {
    return readFileSync(file, "utf8").trimEnd().split("\n").slice(-lines).join("\n");
  } catch {
    return "";
  }
}
