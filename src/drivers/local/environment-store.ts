import { mkdir, readdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { databaseNameFor } from "../../core/environment-name.js";
import { DamagedEnvironmentRecordError } from "../driver-errors.js";
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
    const file = join(this.directoryOf(name), "environment.json");
    let text: string;
    try {
      text = await readFile(file, "utf8");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
      throw error;
    }
    let record: unknown;
    try {
      record = JSON.parse(text);
    } catch (error) {
      throw this.damaged(name, file, (error as Error).message);
    }
    if (typeof record !== "object" || record === null || Array.isArray(record)) {
      throw this.damaged(name, file, "not a JSON object");
    }
    return record as EnvironmentRecord;
  }

  private damaged(name: string, file: string, reason: string): DamagedEnvironmentRecordError {
    let database: string | undefined;
    try {
      database = databaseNameFor(name);
    } catch {
      database = undefined; // a folder someone else made under environments/
    }
    const directory = this.directoryOf(name);
    return new DamagedEnvironmentRecordError(name, file, reason, { directory, airflowHome: join(directory, "airflow"), database });
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
