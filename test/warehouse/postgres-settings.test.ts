import { describe, expect, it } from "vitest";
import { postgresSettingsFromEnv } from "../../src/warehouse/postgres-settings.js";
import { exitOf } from "../support/exit-of.js";

describe("postgresSettingsFromEnv", () => {
  it("reads libpq's variables, with setup's defaults", () => {
    expect(postgresSettingsFromEnv({})).toEqual({ host: "127.0.0.1", port: 5432, user: "shadowops", password: "shadowops", database: "postgres" });
    expect(postgresSettingsFromEnv({ PGPORT: "5433", PGHOST: "db" })).toMatchObject({ host: "db", port: 5433 });
  });

  it.each(["abc", "0", "65536", "54.32"])("refuses PGPORT=%j as bad input (exit 2), naming the variable and the value", async (value) => {
    const { exitCode, message } = await exitOf(() => postgresSettingsFromEnv({ PGPORT: value }));
    expect(exitCode).toBe(2);
    expect(message).toBe(
      `PGPORT must be a port number between 1 and 65535, got "${value}": set it to the port your PostgreSQL server listens on, or unset it for 5432`,
    );
  });
});
