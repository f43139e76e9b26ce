import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { migratedMetadataTemplate } from "../../../src/drivers/local/airflow-metadata-template.js";
import { exitOf } from "../../support/exit-of.js";
import { tempDirPerTest } from "../../support/temp-dir.js";

describe("migratedMetadataTemplate", () => {
  const dir = tempDirPerTest("shadowops-metadata-template-");

  it("reports a virtualenv without airflow as an environment failure (exit 3), naming the program and the setup command", async () => {
    const venv = join(dir(), "venv");
    const airflowBin = join(venv, "bin", "airflow");
    const { exitCode, message } = await exitOf(() => migratedMetadataTemplate({ airflowBin, venv, cacheDir: join(dir(), "cache"), env: process.env, logFile: join(dir(), "db-migrate.log") }));
    expect(exitCode).toBe(3);
    expect(message).toMatch(new RegExp(`^cannot run ${airflowBin}: it does not exist\\. .*install it with scripts/setup\\.sh`));
    expect(message).toContain(`SHADOWOPS_VENV=${venv} scripts/configure-host.sh`);
  });
});
