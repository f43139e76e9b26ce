import { afterAll, describe, expect, it } from "vitest";
import { toExitError } from "../../src/cli/to-exit-error.js";
import { DatabaseExistsError, TemplateInUseError } from "../../src/drivers/driver-errors.js";
import { WarehouseClone } from "../../src/drivers/local/warehouse-clone.js";
import { postgresSettingsFromEnv } from "../../src/warehouse/postgres-settings.js";
import { createScratchDatabase, type ScratchDatabase } from "../support/scratch-database.js";

// The real local PostgreSQL: a template of this test's own, so nothing else waits on it.
const made: string[] = [];
let template: ScratchDatabase | undefined;
afterAll(async () => {
  const clone = new WarehouseClone(postgresSettingsFromEnv());
  for (const name of made) await clone.drop(name);
  await template?.drop();
});

describe("copying a template another session is using", () => {
  /** This test's template with another session connected to it, and the name of a copy to make. */
  async function templateInUse(copy: string) {
    template ??= await createScratchDatabase();
    const other = await template.connect();
    const database = `${template.name}_${copy}`;
    made.push(database);
    return { templateName: template.name, other, database, clone: new WarehouseClone(postgresSettingsFromEnv()) };
  }

  it("copies once another session leaves within PostgreSQL's own 5 s wait", async () => {
    const { templateName, other, database, clone } = await templateInUse("copy1");
    setTimeout(() => void other.end(), 800);
    const { durationMs } = await clone.create({ database, template: templateName });
    expect(durationMs).toBeGreaterThanOrEqual(700);
    await expect(clone.exists(database)).resolves.toBe(true);
  });

  it("fails with a message that says what to do, as exit 3 (not an internal error), when the session stays", async () => {
    const { templateName, other, database, clone } = await templateInUse("copy2");
    try {
      const failure = await clone.create({ database, template: templateName }).catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(TemplateInUseError);
      expect((failure as Error).message).toContain(`cannot copy "${templateName}": other sessions are connected to it. Close them`);
      expect(toExitError(failure).exitCode).toBe(3);
      await expect(clone.exists(database)).resolves.toBe(false);
    } finally {
      await other.end();
    }
  });
});

describe("copying onto a name the server already has", () => {
  it("fails with a message that says what to do, as exit 2 (not an internal error)", async () => {
    const existing = await createScratchDatabase();
    try {
      const clone = new WarehouseClone(postgresSettingsFromEnv());
      const failure = await clone.create({ database: existing.name, template: "template1" }).catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(DatabaseExistsError);
      expect((failure as Error).message).toContain(`database "${existing.name}" already exists on`);
      expect(toExitError(failure).exitCode).toBe(2);
    } finally {
      await existing.drop();
    }
  });
});
