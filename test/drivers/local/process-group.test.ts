import { chmod, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { installAirflowHint } from "../../../src/drivers/local/airflow-settings.js";
import { spawnProcessGroup } from "../../../src/drivers/local/process-group.js";
import { exitOf } from "../../support/exit-of.js";
import { tempDirPerTest } from "../../support/temp-dir.js";

describe("spawnProcessGroup", () => {
  const dir = tempDirPerTest("shadowops-process-group-");
  const venv = "/opt/shadowops/.venv";

  const start = (command: string, args: string[] = [], onExit?: (how: string) => void) =>
    spawnProcessGroup({ command, args, cwd: dir(), env: process.env, logFile: join(dir(), "program.log"), remedy: installAirflowHint(venv), onExit });

  it("starts a program as the leader of its own group, with its output in the log", async () => {
    let onExit!: (how: string) => void;
    const exited = new Promise<string>((resolve) => (onExit = resolve));
    expect(await start("/bin/sh", ["-c", "echo started; exit 3"], onExit)).toBeGreaterThan(0);
    expect(await exited).toBe("exit code 3");
    expect(await readFile(join(dir(), "program.log"), "utf8")).toBe("started\n");
  });

  it("reports a missing program as an environment failure (exit 3), naming it and the setup command", async () => {
    const program = join(dir(), "venv", "bin", "airflow");
    const { exitCode, message } = await exitOf(() => start(program));
    expect(exitCode).toBe(3);
    expect(message).toBe(
      `cannot run ${program}: it does not exist. The local driver runs Airflow 3 from the virtualenv ${venv}: install it with scripts/setup.sh ` +
        `(the virtualenv alone: SHADOWOPS_VENV=${venv} scripts/configure-host.sh), or set SHADOWOPS_AIRFLOW_VENV to a virtualenv that has it.`,
    );
  });

  it("reports a program that is not executable (exit 3)", async () => {
    const program = join(dir(), "airflow");
    await writeFile(program, "#!/bin/sh\necho never\n");
    await chmod(program, 0o644);
    const { exitCode, message } = await exitOf(() => start(program));
    expect(exitCode).toBe(3);
    expect(message).toMatch(new RegExp(`^cannot run ${program}: it is not executable .*scripts/setup\\.sh`));
  });

  it("reports a script whose #! interpreter is gone, as in a virtualenv whose Python was removed (exit 3)", async () => {
    const program = join(dir(), "airflow");
    await writeFile(program, `#!${dir()}/venv/bin/python3\nprint("never")\n`);
    await chmod(program, 0o755);
    const { exitCode, message } = await exitOf(() => start(program));
    expect(exitCode).toBe(3);
    expect(message).toContain(`cannot run ${program}: its interpreter ${dir()}/venv/bin/python3 (its #! line) does not exist.`);
  });

  it("reports a path through a file (ENOTDIR, thrown at once by spawn) as missing (exit 3)", async () => {
    await writeFile(join(dir(), "venv"), "");
    const program = join(dir(), "venv", "bin", "airflow");
    const { exitCode, message } = await exitOf(() => start(program));
    expect(exitCode).toBe(3);
    expect(message).toContain(`cannot run ${program}: it does not exist.`);
  });
});
