/**
 * Where the local PostgreSQL server is, read from libpq's own environment variables so
 * that psql, R (RPostgreSQL) and this package agree without extra configuration.
 */
export interface PostgresSettings {
  host: string;
  port: number;
  user: string;
  password: string;
  /** Database to connect to for administration (CREATE/DROP DATABASE). */
  database: string;
}

/** PGPORT that is not a TCP port: the user fixes their environment (exit 2). */
export class InvalidPgPortError extends Error {
  constructor(readonly value: string) {
    super(`PGPORT must be a port number between 1 and 65535, got "${value}": set it to the port your PostgreSQL server listens on, or unset it for 5432`);
    this.name = "InvalidPgPortError";
  }
}

/** The defaults match what scripts/setup.sh creates on a developer machine. */
export function postgresSettingsFromEnv(env: NodeJS.ProcessEnv = process.env): PostgresSettings {
  const port = Number(env.PGPORT ?? "5432");
  if (!Number.isInteger(port) || port <= 0 || port > 65_535) {
    throw new InvalidPgPortError(env.PGPORT ?? "");
  }
  return {
    host: env.PGHOST ?? "127.0.0.1",
    port,
    user: env.PGUSER ?? "shadowops",
    password: env.PGPASSWORD ?? "shadowops",
    database: env.PGDATABASE ?? "postgres",
  };
}

/** Name of the database that plays production on this machine. */
export function productionDatabaseName(env: NodeJS.ProcessEnv = process.env): string {
  return env.SHADOWOPS_PRODUCTION_DB ?? "shadowops_production";
}
