import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { EnvironmentStore } from "../../../src/drivers/local/environment-store.js";
import type { EnvironmentRecord } from "../../../src/drivers/shadow-driver.js";
import { exitOf } from "../../support/exit-of.js";

describe("EnvironmentStore", () => {
  let home: string;
  let store: EnvironmentStore;

  beforeEach(async () => {
    home = await mkdtemp(join(tmpdir(), "shadowops-store-"));
    store = new EnvironmentStore(home);
  });

  afterEach(async () => {
    await rm(home, { recursive: true, force: true });
  });

  const record = (name: string): EnvironmentRecord => ({ name, driver: "local", state: "configuring", createdAt: "2026-01-01T00:00:00.000Z", details: {} });

  async function damage(name: string, text: string): Promise<string> {
    const dir = store.directoryOf(name);
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, "environment.json"), text);
    return join(dir, "environment.json");
  }

  it("writes, reads and lists records; an unknown name has none", async () => {
    await store.write(record("pr-1"));
    expect(await store.read("pr-1")).toEqual(record("pr-1"));
    expect(await store.read("pr-2")).toBeUndefined();
    expect((await store.list()).map((r) => r.name)).toEqual(["pr-1"]);
  });

  it("reports a damaged environment.json as an environment failure (exit 3), naming the file and how to clean up", async () => {
    const file = await damage("pr-7", '{"name": "pr-7", "state": "runn');
    const { exitCode, message } = await exitOf(() => store.read("pr-7"));
    expect(exitCode).toBe(3);
    expect(message).toContain(`the record of environment pr-7 is damaged (${file}: `);
    expect(message).toContain("Repair the JSON");
    expect(message).toContain(`stop any Airflow process still working in ${join(store.directoryOf("pr-7"), "airflow")}`);
    expect(message).toContain(`psql -c 'DROP DATABASE IF EXISTS "shadow_pr_7"'`);
    expect(message).toContain(`then remove ${store.directoryOf("pr-7")}`);
  });

  it("reports an empty or non-object record the same way, also from list", async () => {
    await store.write(record("pr-1"));
    const file = await damage("pr-2", "");
    expect(await exitOf(() => store.list())).toMatchObject({ exitCode: 3, message: expect.stringContaining(file) });
    await damage("pr-2", "null\n");
    expect(await exitOf(() => store.read("pr-2"))).toMatchObject({ exitCode: 3, message: expect.stringContaining("not a JSON object") });
  });

  it("leaves out the database for a folder whose name is not an environment name", async () => {
    await damage("Not_A_Name", "{");
    const { exitCode, message } = await exitOf(() => store.read("Not_A_Name"));
    expect(exitCode).toBe(3);
    expect(message).not.toContain("DROP DATABASE");
  });
});
