import { mkdir, readdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { EnvironmentRecord } from "../shadow-driver.js";

/**
 * Local environments are remembered as one JSON file each under
 * `<home>/environments/<name>/environment.json`, next to that environment's Airflow home.
 */
export class EnvironmentStore {
  constructor(readonly home: string) {}

  directoryOf(name: string): string {
    return join(this.home, "environments", name);
  }

  async read(name: string): Promise<EnvironmentRecord | undefined> {
    try {
      return JSON.parse(await readFile(join(this.directoryOf(name), "environment.json"), "utf8")) as EnvironmentRecord;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
      throw error;
    }
  }

  /** Written to a temporary file and renamed, so a crash never leaves half a record. */
  async write(record: EnvironmentRecord): Promise<void> {
    const dir = this.directoryOf(record.name);
    await mkdir(dir, { recursive: true });
    const file = join(dir, "environment.json");
    await writeFile(`${file}.tmp`, `${JSON.stringify(record, null, 2)}\n`);
    await rename(`${file}.tmp`, file);
  }

  async remove(name: string): Promise<void> {
    await rm(this.directoryOf(name), { recursive: true, force: true });
  }

  async list(): Promise<EnvironmentRecord[]> {
    let names: string[];
    try {
      names = await readdir(join(this.home, "environments"));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
      throw error;
    }
    const records = await Promise.all(names.sort().map((name) => this.read(name)));
    return records.filter((record): record is EnvironmentRecord => record !== undefined);
  }
}
