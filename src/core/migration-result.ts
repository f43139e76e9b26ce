/** What happened to one migration file in a shadow; rendered in reports and PR checks. */
export interface MigrationResult {
  name: string;
  status: "applied" | "skipped" | "failed" | "not_run";
  durationMs: number;
  /** The database's message, with the line it points at, for a failed migration. */
  error?: string;
}
