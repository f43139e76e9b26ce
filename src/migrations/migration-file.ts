import { createHash } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { MisnamedMigrationError, UnreadableMigrationsFolderError } from "./migration-errors.js";

export interface MigrationFile {
  /** File name, e.g. `0003_add_average_basket.sql`; the journal's key. */
  name: string;
  sql: string;
  /** SHA-256 of the file's bytes, so any edit after it was applied is noticed. */
  checksum: string;
}

/** Migration files are applied in name order; a numeric prefix keeps that order obvious. */
const MIGRATION_NAME = /^\d+[_-][\w.-]+\.sql$/;

export function checksumOf(sql: string): string {
  return createHash("sha256").update(sql, "utf8").digest("hex");
}

export async function readMigrationFiles(dir: string): Promise<MigrationFile[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (error) {
    throw new UnreadableMigrationsFolderError(dir, (error as Error).message);
  }
  const sqlNames = names.filter((name) => name.endsWith(".sql")).sort();
  const misnamed = sqlNames.filter((name) => !MIGRATION_NAME.test(name));
  if (misnamed.length > 0) {
    throw new MisnamedMigrationError(dir, misnamed);
  }
  return Promise.all(
    sqlNames.map(async (name) => {
      const sql = await readFile(join(dir, name), "utf8");
      return { name, sql, checksum: checksumOf(sql) };
    }),
  );
}
