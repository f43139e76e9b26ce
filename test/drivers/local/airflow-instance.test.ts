import { chmod, mkdir, readdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { AIRFLOW_COMPONENTS, startAirflow } from "../../../src/drivers/local/airflow-instance.js";
import { processesMentioning } from "../../support/leftovers.js";
import { tempDirPerTest } from "../../support/temp-dir.js";

/**
 * A stand-in for the virtualenv's `airflow`: `db migrate` makes the metadata file, and every
 * component only waits (as a shell with a child, so a stop must reach the whole group).
 */
const FAKE_AIRFLOW = `#!/bin/sh
if [ "$1" = db ]; then : > "$AIRFLOW_HOME/airflow.db"; exit 0; fi
sleep 300 &
wait
`;

describe("startAirflow", () => {
  const dir = tempDirPerTest("shadowops-airflow-instance-");

  it("stops the components it started when a later one cannot start, and reports nothing started", async () => {
    const venv = join(dir(), "venv");
    await mkdir(join(venv, "bin"), { recursive: true });
    await writeFile(join(venv, "bin", "airflow"), FAKE_AIRFLOW);
    await chmod(join(venv, "bin", "airflow"), 0o755);
    const logDir = join(dir(), "logs");
    // The last component's log cannot be opened (a folder is in its place): its start fails
    // after the other three are running.
    const last = AIRFLOW_COMPONENTS[AIRFLOW_COMPONENTS.length - 1]!;
    await mkdir(join(logDir, `${last}.log`), { recursive: true });
    const started: unknown[] = [];

    await expect(
      startAirflow({
        venv,
        cacheDir: join(dir(), "cache"),
        home: join(dir(), "home"),
        logDir,
        dagsFolder: join(dir(), "dags"),
        rDir: join(dir(), "r"),
        ports: { api: 1, workerLog: 2, triggerLog: 3 },
        warehouseUri: "postgres://nobody@127.0.0.1:1/none",
        timeoutMs: 1_000,
        progress: () => {},
        onStarted: async (record) => {
          started.push(record);
        },
      }),
    ).rejects.toThrow(/EISDIR/);

    // The three before it were started: their logs were opened for them.
    expect((await readdir(logDir)).sort()).toEqual(AIRFLOW_COMPONENTS.map((component) => `${component}.log`).sort());
    expect(started).toEqual([]);
    expect(processesMentioning(venv)).toEqual([]);
  });
});
