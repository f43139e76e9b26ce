/**
 * Test helper: a real Airflow 3 with a few DAG files, started the way the local driver
 * starts one (same module), in a temporary home on free ports.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { startAirflow, stopAirflow } from "../../src/drivers/local/airflow-instance.js";
import { freePorts } from "../../src/drivers/local/tcp-ports.js";
import { PACKAGE_ROOT } from "../../src/package-root.js";

export interface TestAirflow {
  baseUrl: string;
  username: string;
  password: string;
  /** Stops every process and removes the home (unless SHADOWOPS_KEEP_AIRFLOW_HOME is set). */
  stop(): Promise<void>;
}

export async function startTestAirflow(options: { dagFiles: Record<string, string>; timeoutMs?: number }): Promise<TestAirflow> {
  const venv = process.env["SHADOWOPS_AIRFLOW_VENV"] ?? path.join(PACKAGE_ROOT, ".venv");
  if (!fs.existsSync(path.join(venv, "bin", "airflow"))) {
    throw new Error(`No Airflow in ${venv}. Create it with scripts/setup.sh or point SHADOWOPS_AIRFLOW_VENV at one.`);
  }
  const home = fs.mkdtempSync(path.join(os.tmpdir(), "shadowops-test-airflow-"));
  const dagsFolder = path.join(home, "dags");
  fs.mkdirSync(dagsFolder);
  for (const [name, source] of Object.entries(options.dagFiles)) fs.writeFileSync(path.join(dagsFolder, name), source);
  const [api, workerLog, triggerLog] = await freePorts(3);
  let started: Parameters<typeof stopAirflow>[0] | undefined;

  const stop = async () => {
    if (started) await stopAirflow(started);
    if (process.env["SHADOWOPS_KEEP_AIRFLOW_HOME"]) console.log(`Airflow home kept at ${home}`);
    else fs.rmSync(home, { recursive: true, force: true });
  };
  try {
    const airflow = await startAirflow({
      venv,
      cacheDir: path.join(os.tmpdir(), "shadowops-test-cache"),
      home: path.join(home, "airflow"),
      logDir: path.join(home, "logs"),
      dagsFolder,
      rDir: path.join(home, "r"),
      ports: { api: api!, workerLog: workerLog!, triggerLog: triggerLog! },
      warehouseUri: "postgres://unused@127.0.0.1:1/unused",
      timeoutMs: options.timeoutMs ?? 180_000,
      progress: () => undefined,
      onStarted: async (record) => {
        started = record;
      },
    });
    return { baseUrl: airflow.url, username: airflow.username, password: airflow.password, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
