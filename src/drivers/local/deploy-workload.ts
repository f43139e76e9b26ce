import { cp, mkdir, rm } from "node:fs/promises";
import { join } from "node:path";
import type { Workload } from "../shadow-driver.js";

/**
 * Copy the workload into the environment, so edits in the working tree during a run
 * cannot change what Airflow executes, and a warm re-test redeploys just this folder.
 * Returns the deployed workload's paths.
 */
export async function deployWorkload(source: Workload, target: string): Promise<Workload> {
  const deployed: Workload = {
    dagsDir: join(target, "dags"),
    rDir: join(target, "r"),
    migrationsDir: join(target, "migrations"),
  };
  await mkdir(target, { recursive: true });
  for (const [from, to] of [
    [source.dagsDir, deployed.dagsDir],
    [source.rDir, deployed.rDir],
    [source.migrationsDir, deployed.migrationsDir],
  ] as const) {
    await rm(to, { recursive: true, force: true });
    await cp(from, to, {
      recursive: true,
      // Test folders and caches are not part of what Airflow should parse or run.
      filter: (path) => !/(^|\/)(__pycache__|\.pytest_cache|tests)(\/|$)/.test(path.slice(from.length)),
    });
  }
  return deployed;
}
