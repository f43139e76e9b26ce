import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { AirflowStartError } from "../driver-errors.js";
import { installAirflowHint } from "./airflow-settings.js";
import { notRunnable } from "./process-group.js";

/**
 * A freshly migrated Airflow metadata database (SQLite), made once per machine and Airflow
 * version: `airflow db migrate` takes 6–12 s, copying the 0.7 MB file takes milliseconds.
 */
export function migratedMetadataTemplate(params: {
  airflowBin: string;
  venv: string;
  cacheDir: string;
  env: NodeJS.ProcessEnv;
  /** Where the output of a failed migration is kept for the user to read. */
  logFile: string;
}): string {
  const template = join(params.cacheDir, `airflow-${installedAirflowVersion(params.venv)}.db`);
  if (existsSync(template)) return template;
  mkdirSync(params.cacheDir, { recursive: true });
  const work = mkdtempSync(join(params.cacheDir, "migrate-"));
  try {
    writeFileSync(join(work, "airflow.cfg"), "");
    const db = join(work, "airflow.db");
    const result = spawnSync(params.airflowBin, ["db", "migrate"], {
      cwd: work,
      env: { ...params.env, AIRFLOW_HOME: work, AIRFLOW__DATABASE__SQL_ALCHEMY_CONN: `sqlite:///${db}` },
      encoding: "utf8",
      timeout: 180_000,
    });
    const unrunnable = result.error && notRunnable(result.error, { command: params.airflowBin, cwd: work, remedy: installAirflowHint(params.venv) });
    if (unrunnable) throw unrunnable;
    if (result.status !== 0) {
      const output = `${result.stdout ?? ""}${result.stderr ?? result.error?.message ?? ""}`;
      writeFileSync(params.logFile, output);
      const tail = output.trimEnd().split("\n").slice(-15).join("\n");
      throw new AirflowStartError(`airflow db migrate failed (${result.status ?? result.signal}):\n${tail}`, params.logFile);
    }
    renameSync(db, template); // atomic: a concurrent run sees the whole file or none
    return template;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** The installed Airflow's version, from its dist-info folder (no Python start needed). */
function installedAirflowVersion(venv: string): string {
  const lib = join(venv, "lib");
  for (const python of existsSync(lib) ? readdirSync(lib) : []) {
    const sitePackages = join(lib, python, "site-packages");
    if (!existsSync(sitePackages)) continue;
    const dist = readdirSync(sitePackages).find((name) => /^apache_airflow_core-.*\.dist-info$/.test(name));
    if (dist) return dist.replace(/^apache_airflow_core-|\.dist-info$/g, "");
  }
  return "unknown";
}
