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

/** How a migration file must be named: the number says its order (README: Schema migrations). */
export const MIGRATION_NAME_EXAMPLE = "0001_description.sql";

/** The migrations folder is missing, not a folder, or not readable. */
export class UnreadableMigrationsFolderError extends Error {
  constructor(
    readonly dir: string,
    readonly reason: string,
  ) {
    super(
      `cannot read the migrations folder ${dir} (${reason}): it must be a readable folder ` +
        `of SQL files named like ${MIGRATION_NAME_EXAMPLE}.`,
    );
    this.name = "UnreadableMigrationsFolderError";
  }
}

/** `.sql` files whose names do not start with the number that orders them. */
export class MisnamedMigrationError extends Error {
  constructor(
    readonly dir: string,
    readonly files: string[],
  ) {
    super(
      `migration files must be named like ${MIGRATION_NAME_EXAMPLE} (a number, then _ or -, then letters, digits, _ . or -) ` +
        `so their order is clear; rename in ${dir}: ${files.join(", ")}`,
    );
    this.name = "MisnamedMigrationError";
  }
}
