import { mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type pg from "pg";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { applyMigrations, readJournal } from "../../src/migrations/apply-migrations.js";
import { ChangedMigrationError, MigrationFailedError } from "../../src/migrations/migration-errors.js";
import { readMigrationFiles } from "../../src/migrations/migration-file.js";
import { createScratchDatabase, type ScratchDatabase } from "../support/scratch-database.js";

describe("applyMigrations against a real PostgreSQL", () => {
  let db: ScratchDatabase;
  let client: pg.Client;
  let dir: string;

  beforeEach(async () => {
    db = await createScratchDatabase();
    client = await db.connect();
    dir = await mkdtemp(join(tmpdir(), "shadowops-migrations-"));
  });

  afterEach(async () => {
    await client.end();
    await db.drop();
    await rm(dir, { recursive: true, force: true });
  });

  async function write(name: string, sql: string) {
    await writeFile(join(dir, name), sql);
  }

  async function tables(): Promise<string[]> {
    const { rows } = await client.query<{ table_name: string }>(
      "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1",
    );
    return rows.map((row) => row.table_name);
  }

  it("applies pending files in order and journals name, checksum and time", async () => {
    await write("0001_people.sql", "CREATE TABLE people (id INT);");
    await write("0002_pets.sql", "CREATE TABLE pets (id INT, owner INT);\nINSERT INTO pets VALUES (1, 1);");
    const files = await readMigrationFiles(dir);
    const seen: string[] = [];

    const outcome = await applyMigrations({ client, files, onMigration: (e) => seen.push(e.name) });

    expect(outcome.results.map((r) => [r.name, r.status])).toEqual([
      ["0001_people.sql", "applied"],
      ["0002_pets.sql", "applied"],
    ]);
    expect(seen).toEqual(["0001_people.sql", "0002_pets.sql"]);
    expect(await tables()).toEqual(["people", "pets", "shadowops_migrations"]);
    const journal = await readJournal(client);
    expect(journal.map((e) => [e.name, e.checksum])).toEqual(files.map((f) => [f.name, f.checksum]));
    expect(journal.every((e) => e.appliedAt instanceof Date)).toBe(true);
  });

  it("is a no-op when run again", async () => {
    await write("0001_people.sql", "CREATE TABLE people (id INT);");
    const files = await readMigrationFiles(dir);
    await applyMigrations({ client, files });
    const before = await readJournal(client);

    const again = await applyMigrations({ client, files });

    expect(again.results).toEqual([{ name: "0001_people.sql", status: "skipped", durationMs: 0 }]);
    expect(await readJournal(client)).toEqual(before);
  });

  it("refuses a changed applied file and applies nothing else", async () => {
    await write("0001_people.sql", "CREATE TABLE people (id INT);");
    await applyMigrations({ client, files: await readMigrationFiles(dir) });
    await write("0001_people.sql", "CREATE TABLE people (id BIGINT);");
    await write("0002_pets.sql", "CREATE TABLE pets (id INT);");

    const attempt = applyMigrations({ client, files: await readMigrationFiles(dir) });

    await expect(attempt).rejects.toThrow(ChangedMigrationError);
    await expect(attempt).rejects.toThrow(/0001_people\.sql was already applied but its file has changed/);
    expect(await tables()).toEqual(["people", "shadowops_migrations"]);
    expect((await readJournal(client)).map((e) => e.name)).toEqual(["0001_people.sql"]);
  });

  it("rolls back a failing migration whole and leaves the journal unchanged", async () => {
    await write("0001_people.sql", "CREATE TABLE people (id INT);");
    await write(
      "0002_broken.sql",
      "CREATE TABLE half_done (id INT);\n-- the next statement references a missing table\nINSERT INTO nowhere VALUES (1);\n",
    );
    await write("0003_later.sql", "CREATE TABLE later (id INT);");
    const files = await readMigrationFiles(dir);

    const error = await applyMigrations({ client, files }).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(MigrationFailedError);
    const failure = error as MigrationFailedError & { results: { name: string; status: string }[] };
    expect(failure.migration).toBe("0002_broken.sql");
    expect(failure.message).toMatch(/0002_broken\.sql failed at line 3: relation "nowhere" does not exist/);
    expect(failure.results.map((r) => [r.name, r.status])).toEqual([
      ["0001_people.sql", "applied"],
      ["0002_broken.sql", "failed"],
      ["0003_later.sql", "not_run"],
    ]);
    expect(await tables()).toEqual(["people", "shadowops_migrations"]);
    expect((await readJournal(client)).map((e) => e.name)).toEqual(["0001_people.sql"]);
  });

  it("rejects files whose names do not say their order", async () => {
    await write("add_people.sql", "CREATE TABLE people (id INT);");
    await expect(readMigrationFiles(dir)).rejects.toThrow(`rename in ${dir}: add_people.sql`);
  });
});

describe("the example migrations", () => {
  it("apply on a clone of the production stand-in", async () => {
    const db = await createScratchDatabase({ template: process.env.SHADOWOPS_PRODUCTION_DB ?? "shadowops_production" });
    const client = await db.connect();
    try {
      const dir = new URL("../../migrations/", import.meta.url).pathname;
      const outcome = await applyMigrations({ client, files: await readMigrationFiles(dir) });
      expect(outcome.results.map((r) => r.status)).toEqual(
        (await readdir(dir)).filter((n) => n.endsWith(".sql")).map(() => "applied"),
      );
      const { rows } = await client.query(
        "SELECT column_name FROM information_schema.columns WHERE table_schema = 'analytics' AND table_name = 'daily_revenue' AND column_name = 'avg_basket'",
      );
      expect(rows).toHaveLength(1);
    } finally {
      await client.end();
      await db.drop();
    }
  });
});
