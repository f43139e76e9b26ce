import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readMigrationFiles } from "../../src/migrations/migration-file.js";
import { exitOf } from "../support/exit-of.js";
import { tempDirPerTest } from "../support/temp-dir.js";

describe("readMigrationFiles", () => {
  const dir = tempDirPerTest("shadowops-migration-files-");

  it("reads .sql files in name order with their checksums", async () => {
    await writeFile(join(dir(), "0002_b.sql"), "SELECT 2;");
    await writeFile(join(dir(), "0001_a.sql"), "SELECT 1;");
    await writeFile(join(dir(), "README.md"), "not a migration");
    const files = await readMigrationFiles(dir());
    expect(files.map((file) => file.name)).toEqual(["0001_a.sql", "0002_b.sql"]);
    expect(files[0]!.checksum).toMatch(/^[0-9a-f]{64}$/);
  });

  it("refuses a misnamed .sql file as bad input (exit 2), naming the folder, the file and the pattern", async () => {
    await writeFile(join(dir(), "0001_people.sql"), "CREATE TABLE people (id INT);");
    await writeFile(join(dir(), "add_places.sql"), "CREATE TABLE places (id INT);");
    const { exitCode, message } = await exitOf(() => readMigrationFiles(dir()));
    expect(exitCode).toBe(2);
    expect(message).toContain("0001_description.sql");
    expect(message).toContain(`rename in ${dir()}: add_places.sql`);
    expect(message).not.toContain("internal error");
  });

  it("reports a missing migrations folder as bad input (exit 2), naming it and what it must be", async () => {
    const missing = join(dir(), "migrations");
    const { exitCode, message } = await exitOf(() => readMigrationFiles(missing));
    expect(exitCode).toBe(2);
    expect(message).toContain(`cannot read the migrations folder ${missing} (`);
    expect(message).toMatch(/ENOENT/);
    expect(message).toContain("named like 0001_description.sql");
  });

  it("reports a migrations path that is a file as bad input (exit 2)", async () => {
    const file = join(dir(), "migrations");
    await writeFile(file, "");
    const { exitCode, message } = await exitOf(() => readMigrationFiles(file));
    expect(exitCode).toBe(2);
    expect(message).toMatch(/ENOTDIR/);
    expect(message).toContain(file);
  });
});
