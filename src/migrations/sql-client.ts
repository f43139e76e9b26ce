/**
 * The part of a `pg` client the migration runner needs. Kept this small so that a
 * Redshift connection (same wire protocol) or a test double can stand in.
 */
export interface SqlClient {
  query<Row extends Record<string, unknown> = Record<string, unknown>>(
    text: string,
    values?: unknown[],
  ): Promise<{ rows: Row[] }>;
}
