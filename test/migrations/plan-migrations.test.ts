import { describe, expect, it } from "vitest";
import { ChangedMigrationError } from "../../src/migrations/migration-errors.js";
import { checksumOf, type MigrationFile } from "../../src/migrations/migration-file.js";
import { planMigrations } from "../../src/migrations/plan-migrations.js";

const file = (name: string, sql = `-- ${name}`): MigrationFile => ({ name, sql, checksum: checksumOf(sql) });
const applied = (f: MigrationFile) => ({ name: f.name, checksum: f.checksum, appliedAt: new Date(0) });

describe("planMigrations", () => {
  const a = file("0001_a.sql");
  const b = file("0002_b.sql");

  it("applies everything on an empty journal, in order", () => {
    expect(planMigrations([a, b], []).pending.map((f) => f.name)).toEqual(["0001_a.sql", "0002_b.sql"]);
  });

  it("skips what the journal already has", () => {
    const plan = planMigrations([a, b], [applied(a)]);
    expect(plan.applied.map((f) => f.name)).toEqual(["0001_a.sql"]);
    expect(plan.pending.map((f) => f.name)).toEqual(["0002_b.sql"]);
  });

  it("refuses a file changed after it was applied, naming it", () => {
    const edited = file("0001_a.sql", "-- edited");
    expect(() => planMigrations([edited, b], [applied(a)])).toThrow(ChangedMigrationError);
    expect(() => planMigrations([edited, b], [applied(a)])).toThrow(/0001_a\.sql was already applied/);
  });

  it("reports journal entries that have no file instead of failing", () => {
    expect(planMigrations([b], [applied(a)]).unknown.map((e) => e.name)).toEqual(["0001_a.sql"]);
  });
});
