import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { expect } from "vitest";
import { databaseNameFor } from "../../src/core/environment-name.js";
import { WarehouseClone } from "../../src/drivers/local/warehouse-clone.js";
import { postgresSettingsFromEnv } from "../../src/warehouse/postgres-settings.js";

/** Pids of live processes whose environment mentions `marker` (e.g. an environment's folder). */
export function processesMentioning(marker: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      if (stat.slice(stat.lastIndexOf(")") + 2).startsWith("Z")) continue;
      const environ = readFileSync(`/proc/${entry}/environ`, "utf8");
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, "utf8");
      if (environ.includes(marker) || cmdline.includes(marker)) pids.push(Number(entry));
    } catch {
      // exited meanwhile, or not ours to read
    }
  }
  return pids;
}

/** Whether the local PostgreSQL has this database, asked the way the local driver asks. */
export function databaseExists(name: string): Promise<boolean> {
  return new WarehouseClone(postgresSettingsFromEnv()).exists(name);
}

/** A local environment under `home` left nothing: no process mentions its folder, and its database is gone. */
export async function expectNothingLeft(home: string, environment: string): Promise<void> {
  expect(processesMentioning(join(home, "environments", environment))).toEqual([]);
  expect(await databaseExists(databaseNameFor(environment))).toBe(false);
}

/**
 * Drops the databases of these environment names: a run of the same tests killed before its
 * teardown leaves them on the server, and `up` refuses a name whose database is there
 * (DatabaseExistsError: it may be another home's). The names carry this checkout's tag
 * (checkout-environment-names.ts), so another checkout's run keeps its databases.
 */
export async function dropLeftoverDatabases(environments: readonly string[]): Promise<void> {
  const server = new WarehouseClone(postgresSettingsFromEnv());
  for (const environment of environments) await server.drop(databaseNameFor(environment));
}
