import { ChangedMigrationError } from "./migration-errors.js";
import type { MigrationFile } from "./migration-file.js";

export interface JournalEntry {
  name: string;
  checksum: string;
  appliedAt: Date;
}

export interface MigrationPlan {
  /** Files to apply, in order. */
  pending: MigrationFile[];
  /** Files the journal says are applied, unchanged. */
  applied: MigrationFile[];
  /**
   * Journal entries with no file: usually a migration merged to the default branch after
   * this branch was cut. Reported, not fatal, because production already has them.
   */
  unknown: JournalEntry[];
}

/** Decide what to apply. Pure: the journal is read by the caller. */
export function planMigrations(files: MigrationFile[], journal: JournalEntry[]): MigrationPlan {
  const byName = new Map(journal.map((entry) => [entry.name, entry]));
  const plan: MigrationPlan = { pending: [], applied: [], unknown: [] };
  for (const file of files) {
    const entry = byName.get(file.name);
    if (!entry) {
      plan.pending.push(file);
    } else if (entry.checksum !== file.checksum) {
      throw new ChangedMigrationError(file.name, entry.checksum, file.checksum);
    } else {
      plan.applied.push(file);
    }
  }
  const fileNames = new Set(files.map((file) => file.name));
  plan.unknown = journal.filter((entry) => !fileNames.has(entry.name));
  return plan;
}
