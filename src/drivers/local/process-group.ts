import { spawn } from "node:child_process";
import { closeSync, existsSync, openSync, readdirSync, readFileSync } from "node:fs";

/**
 * Airflow components fork workers and gunicorn/uvicorn children. Each component is started
 * as the leader of its own process group, so stopping the group stops every descendant,
 * and the group id (= the leader's pid) is all we need to remember to clean up later,
 * even from another CLI invocation.
 */
export function spawnProcessGroup(params: {
  command: string;
  args: string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
  logFile: string;
  onExit?: (how: string) => void;
}): number {
  const out = openSync(params.logFile, "a");
  try {
    const child = spawn(params.command, params.args, {
      cwd: params.cwd,
      env: params.env,
      detached: true,
      stdio: ["ignore", out, out],
    });
    if (child.pid === undefined) throw new Error(`could not start ${params.command}`);
    child.on("exit", (code, signal) => params.onExit?.(signal ? `signal ${signal}` : `exit code ${code}`));
    // The CLI may exit while the environment keeps running (up, test --keep).
    child.unref();
    return child.pid;
  } finally {
    closeSync(out);
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

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

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
