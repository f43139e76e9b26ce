import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import type { Workload } from "../drivers/shadow-driver.js";
import { UsageError } from "./cli-errors.js";

/** The workload of a project folder: its dags/, r/ and migrations/. */
export function workloadIn(projectDir: string): Workload {
  const root = resolve(projectDir);
  const workload: Workload = { dagsDir: join(root, "dags"), rDir: join(root, "r"), migrationsDir: join(root, "migrations") };
  const missing = Object.values(workload).filter((dir) => !existsSync(dir));
  if (missing.length > 0) {
    throw new UsageError(`${root} is not a ShadowOps project: missing ${missing.join(", ")}. Run from the project's root or pass --project DIR.`);
  }
  return workload;
}
