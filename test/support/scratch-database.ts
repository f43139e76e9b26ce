import pg from "pg";
import { postgresSettingsFromEnv, type PostgresSettings } from "../../src/warehouse/postgres-settings.js";

export interface ScratchDatabase {
  name: string;
  settings: PostgresSettings;
  /** A new client connected to the scratch database; the caller ends it. */
  connect(): Promise<pg.Client>;
  drop(): Promise<void>;
}

let counter = 0;

/** A throw-away database on the real local PostgreSQL, optionally cloned from a template. */
export async function createScratchDatabase(options: { template?: string } = {}): Promise<ScratchDatabase> {
  const admin = postgresSettingsFromEnv();
  const name = `shadowops_test_${process.pid}_${Date.now()}_${counter++}`;
  await withAdmin(admin, (client) =>
    client.query(`CREATE DATABASE ${name}${options.template ? ` TEMPLATE ${options.template}` : ""}`),
  );
  const settings = { ...admin, database: name };
  return {
    name,
    settings,
    async connect() {
      const client = new pg.Client(settings);
      await client.connect();
      return client;
    },
    async drop() {
      await withAdmin(admin, (client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
    },
  };
}

async function withAdmin<T>(settings: PostgresSettings, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client(settings);
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}
