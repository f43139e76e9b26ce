import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { closeSync, existsSync, openSync, readdirSync, readFileSync, readSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { ProgramNotRunnableError } from "../driver-errors.js";

/**
 * Airflow components fork workers and gunicorn/uvicorn children. Each component is started
 * as the leader of its own process group, so stopping the group stops every descendant,
 * and the group id (= the leader's pid) is all we need to remember to clean up later,
 * even from another CLI invocation.
 *
 * A program that is missing or not executable rejects with ProgramNotRunnableError, whose
 * message ends with `remedy` (what installs the program).
 */
export async function spawnProcessGroup(params: {
  command: string;
  args: string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
  logFile: string;
  remedy: string;
  onExit?: (how: string) => void;
}): Promise<number> {
  const out = openSync(params.logFile, "a");
  let child: ChildProcess;
  try {
    child = spawn(params.command, params.args, {
      cwd: params.cwd,
      env: params.env,
      detached: true,
      stdio: ["ignore", out, out],
    });
  } catch (error) {
    throw notRunnable(error, params) ?? error;
  } finally {
    closeSync(out);
  }
  if (child.pid === undefined) {
    // Node reports ENOENT, EACCES and the like as an 'error' event on the next tick (without a
    // listener it would crash the CLI).
    const [error] = (await once(child, "error")) as [Error];
    throw notRunnable(error, params) ?? error;
  }
  child.on("exit", (code, signal) => params.onExit?.(signal ? `signal ${signal}` : `exit code ${code}`));
  // The CLI may exit while the environment keeps running (up, test --keep).
  child.unref();
  return child.pid;
}

/**
 * A failed start that the user fixes by installing the program: it is missing, not
 * executable, or its #! interpreter is missing (a virtualenv whose Python was removed).
 * Anything else (a missing working directory: our bug) is left as it is.
 */
export function notRunnable(
  error: unknown,
  params: { command: string; cwd: string; remedy: string },
): ProgramNotRunnableError | undefined {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === "EACCES") {
    return new ProgramNotRunnableError(params.command, "it is not executable (or its folder cannot be searched)", params.remedy);
  }
  if (code !== "ENOENT" && code !== "ENOTDIR") return undefined;
  if (!existsSync(params.cwd)) return undefined;
  if (!existsSync(params.command)) return new ProgramNotRunnableError(params.command, "it does not exist", params.remedy);
  const interpreter = interpreterOf(params.command);
  const reason =
    interpreter && !existsSync(interpreter) ? `its interpreter ${interpreter} (its #! line) does not exist` : "it cannot be executed (ENOENT)";
  return new ProgramNotRunnableError(params.command, reason, params.remedy);
}

/** The program of a script's #! line, e.g. a virtualenv's bin/python. */
function interpreterOf(file: string): string | undefined {
  let fd: number | undefined;
  try {
    fd = openSync(file, "r");
    const head = Buffer.alloc(512);
    const firstLine = head.subarray(0, readSync(fd, head, 0, head.length, 0)).toString("utf8").split("\n", 1)[0]!;
    return firstLine.startsWith("#!") ? firstLine.slice(2).trim().split(/\s+/)[0] : undefined;
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** Whether any process other than a zombie is left in the group. */
export function processGroupAlive(pgid: number): boolean {
  if (existsSync("/proc/self/stat")) {
    for (const entry of readdirSync("/proc")) {
      if (!/^\d+$/.test(entry)) continue;
      let stat: string;
      try {
        stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      } catch {
        continue; // exited meanwhile
      }
      // "pid (comm) state ppid pgrp …"; comm may contain spaces and parentheses.
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (fields[2] === String(pgid) && fields[0] !== "Z") return true;
    }
    return false;
  }
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // the group is gone already
  }
}

/** SIGTERM, then SIGKILL whatever is left after the grace period (the api-server needs ~7 s). */
export async function stopProcessGroup(pgid: number, graceMs = 8_000): Promise<void> {
  signalGroup(pgid, "SIGTERM");
  const deadline = Date.now() + graceMs;
  while (processGroupAlive(pgid) && Date.now() < deadline) await sleep(100);
  if (!processGroupAlive(pgid)) return;
  signalGroup(pgid, "SIGKILL");
  const killDeadline = Date.now() + 5_000;
  while (processGroupAlive(pgid) && Date.now() < killDeadline) await sleep(50);
  if (processGroupAlive(pgid)) {
    throw new Error(`process group ${pgid} survived SIGKILL; stop it by hand: kill -9 -- -${pgid}`);
  }
}
