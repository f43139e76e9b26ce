import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";

const MOTO_SERVER = fileURLToPath(new URL("../../.venv/bin/moto_server", import.meta.url));

export interface MotoServer {
  url: string;
  /** Forgets every resource: each test starts from an empty account. */
  reset(): Promise<void>;
  stop(): Promise<void>;
  /** What the server printed (its warnings name the resource types it skipped). */
  log(): string;
}

/**
 * moto (pinned in python/requirements.lock) in server mode on a free port of 127.0.0.1: a real
 * AWS API emulator in its own process, which the SDK reaches over HTTP like AWS.
 */
export async function startMoto(options: { timeoutMs?: number } = {}): Promise<MotoServer> {
  if (!existsSync(MOTO_SERVER)) throw new Error(`${MOTO_SERVER} is missing: run \`npm run setup\` (it installs python/requirements.lock)`);
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(MOTO_SERVER, ["-H", "127.0.0.1", "-p", String(port)], { stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString("utf8")).slice(-200_000);
  };
  child.stdout.on("data", keep);
  child.stderr.on("data", keep);
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));

  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  for (;;) {
    if (child.exitCode !== null) throw new Error(`moto_server exited with ${child.exitCode}:\n${output}`);
    try {
      const response = await fetch(`${url}/moto-api/`, { signal: AbortSignal.timeout(1_000) });
      if (response.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`moto_server did not answer on ${url}:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }

  return {
    url,
    async reset() {
      const response = await fetch(`${url}/moto-api/reset`, { method: "POST" });
      if (!response.ok) throw new Error(`moto reset answered ${response.status}`);
    },
    async stop() {
      if (child.exitCode !== null) return;
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
      await exited;
      clearTimeout(timer);
    },
    log: () => output,
  };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}
