import type { MigrationResult } from "../core/migration-result.js";
import { MigrationFailedError } from "./migration-errors.js";
import type { MigrationFile } from "./migration-file.js";
import { planMigrations, type JournalEntry } from "./plan-migrations.js";
import type { SqlClient } from "./sql-client.js";

export const JOURNAL_TABLE = "shadowops_migrations";

export interface ApplyMigrationsParams {
  client: SqlClient;
  files: MigrationFile[];
  /** Called before each file is applied, so a CLI can show progress. */
  onMigration?: (event: { name: string; index: number; total: number }) => void;
  now?: () => Date;
}

export interface ApplyMigrationsOutcome {
  results: MigrationResult[];
  /** Journal entries without a file (see MigrationPlan.unknown). */
  unknown: string[];
}

/**
 * Apply pending migrations, each in its own transaction together with its journal row,
 * so a failing statement leaves neither half a migration nor a journal entry behind.
 * The SQL used here (no advisory locks, no ON CONFLICT, timestamps passed in) is the
 * subset Amazon Redshift shares with PostgreSQL, so the same runner serves both.
 *
 * Throws ChangedMigrationError before applying anything if an applied file was edited,
 * and MigrationFailedError (after rollback) when a statement fails; `results` of the
 * error's cause are attached as `error.results` for reporting.
 */
export async function applyMigrations(params: ApplyMigrationsParams): Promise<ApplyMigrationsOutcome> {
  const { client, files, onMigration, now = () => new Date() } = params;
  await ensureJournal(client);
  const plan = planMigrations(files, await readJournal(client));

  const results: MigrationResult[] = plan.applied.map((file) => ({
    name: file.name,
    status: "skipped",
    durationMs: 0,
  }));
  for (const [index, file] of plan.pending.entries()) {
    onMigration?.({ name: file.name, index, total: plan.pending.length });
    const started = Date.now();
    try {
      const applied = await applyOne(client, file, now());
      results.push({ name: file.name, status: applied ? "applied" : "skipped", durationMs: Date.now() - started });
    } catch (error) {
      const failure = toMigrationFailure(file, error);
      results.push({ name: file.name, status: "failed", durationMs: Date.now() - started, error: failure.message });
      for (const rest of plan.pending.slice(index + 1)) {
        results.push({ name: rest.name, status: "not_run", durationMs: 0 });
      }
      throw Object.assign(failure, { results });
    }
  }
  results.sort((a, b) => a.name.localeCompare(b.name));
  return { results, unknown: plan.unknown.map((entry) => entry.name) };
}

async function ensureJournal(client: SqlClient): Promise<void> {
  await client.query(
    `CREATE TABLE IF NOT EXISTS ${JOURNAL_TABLE} (
       name       VARCHAR(255) NOT NULL PRIMARY KEY,
       checksum   CHAR(64)     NOT NULL,
       applied_at TIMESTAMP    NOT NULL,
       duration_ms INTEGER     NOT NULL
     )`,
  );
}

export async function readJournal(client: SqlClient): Promise<JournalEntry[]> {
  const { rows } = await client.query<{ name: string; checksum: string; applied_at: Date }>(
    `SELECT name, checksum, applied_at FROM ${JOURNAL_TABLE} ORDER BY name`,
  );
  return rows.map((row) => ({ name: row.name, checksum: row.checksum.trim(), appliedAt: row.applied_at }));
}

/** Returns false when another runner applied the file between planning and locking. */
async function applyOne(client: SqlClient, file: MigrationFile, appliedAt: Date): Promise<boolean> {
  await client.query("BEGIN");
  try {
    // The table lock serialises concurrent runners against the same warehouse.
    await client.query(`LOCK TABLE ${JOURNAL_TABLE}`);
    const { rows } = await client.query(`SELECT 1 FROM ${JOURNAL_TABLE} WHERE name = $1`, [file.name]);
    if (rows.length > 0) {
      await client.query("ROLLBACK");
      return false;
    }
    const started = Date.now();
    await client.query(file.sql);
    await client.query(
      `INSERT INTO ${JOURNAL_TABLE} (name, checksum, applied_at, duration_ms) VALUES ($1, $2, $3, $4)`,
      [file.name, file.checksum, appliedAt, Date.now() - started],
    );
    await client.query("COMMIT");
    return true;
  } catch (error) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw error;
  }
}

function toMigrationFailure(file: MigrationFile, error: unknown): MigrationFailedError {
  const dbError = error as { message?: string; position?: string };
  const position = Number(dbError.position);
  const line = Number.isInteger(position) && position > 0
    ? file.sql.slice(0, position - 1).split("\n").length
    : undefined;
  return new MigrationFailedError(file.name, dbError.message ?? String(error), line);
}
