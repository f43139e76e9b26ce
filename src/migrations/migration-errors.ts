/** An applied migration whose file was edited afterwards: the shadow would no longer match. */
export class ChangedMigrationError extends Error {
  constructor(
    readonly migration: string,
    readonly appliedChecksum: string,
    readonly fileChecksum: string,
  ) {
    super(
      `migration ${migration} was already applied but its file has changed since ` +
        `(applied ${appliedChecksum.slice(0, 12)}, file now ${fileChecksum.slice(0, 12)}). ` +
        `Applied migrations are immutable: revert the edit and add a new migration file instead.`,
    );
    this.name = "ChangedMigrationError";
  }
}

/** A statement in a migration failed; the migration's transaction was rolled back. */
export class MigrationFailedError extends Error {
  constructor(
    readonly migration: string,
    readonly databaseError: string,
    /** 1-based line in the file where the failing statement's error points, when known. */
    readonly line: number | undefined,
  ) {
    super(
      `migration ${migration} failed${line ? ` at line ${line}` : ""}: ${databaseError}. ` +
        `Nothing of it was applied; fix the file and run again.`,
    );
    this.name = "MigrationFailedError";
  }
}
