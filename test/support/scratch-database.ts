import type pg from "pg";
import { WarehouseClone } from "../../src/drivers/local/warehouse-clone.js";
import { postgresSettingsFromEnv, type PostgresSettings } from "../../src/warehouse/postgres-settings.js";

export interface ScratchDatabase {
  name: string;
  settings: PostgresSettings;
  /** A new client connected to the scratch database; the caller ends it. */
  connect(): Promise<pg.Client>;
  drop(): Promise<void>;
}

let counter = 0;

/**
 * A throw-away database on the real local PostgreSQL, made the way the local driver makes a
 * shadow warehouse (WarehouseClone), from a template or else empty.
 */
export async function createScratchDatabase(options: { template?: string } = {}): Promise<ScratchDatabase> {
  const admin = postgresSettingsFromEnv();
  const clone = new WarehouseClone(admin);
  const name = `shadowops_test_${process.pid}_${Date.now()}_${counter++}`;
  // template1 is what CREATE DATABASE copies when given none: an empty database.
  await clone.create({ database: name, template: options.template ?? "template1" });
  return {
    name,
    settings: { ...admin, database: name },
    connect: () => clone.connect(name),
    drop: () => clone.drop(name),
  };
}
