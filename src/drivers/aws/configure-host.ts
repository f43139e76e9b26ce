import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import type { Progress } from "../progress.js";
import type { Workload } from "../shadow-driver.js";
import { HostConfigurationError } from "./aws-errors.js";

export interface ConfigureHostParams {
  environment: string;
  /** The inventory `shadowops inventory` would print for the environment. */
  inventory: string;
  workload: Workload;
  progress: Progress;
  signal?: AbortSignal;
}

/** Makes the stack's host a shadow node with the workload deployed (Ansible, by default). */
export type ConfigureHost = (params: ConfigureHostParams) => Promise<void>;

export interface AnsibleOptions {
  /** The shadowops checkout or package root: holds ansible/. */
  root: string;
  /** ansible-playbook to run; default: the repo virtualenv's, else the one on PATH. */
  ansiblePlaybook?: string;
  env?: NodeJS.ProcessEnv;
}

const TAIL_LINES = 40;

/**
 * Runs `ansible-playbook -i <inventory> ansible/shadow-node.yml` with the workload's folders as
 * extra variables, the way ansible/README.md describes. Task names are reported as progress; the
 * last lines of output are kept for the error. The inventory is written to a private temporary
 * folder and removed afterwards (it holds ARNs, not secrets).
 */
export function ansibleConfigureHost(options: AnsibleOptions): ConfigureHost {
  return async ({ inventory, workload, progress, signal }) => {
    const dir = await mkdtemp(join(tmpdir(), "shadowops-ansible-"));
    try {
      const inventoryFile = join(dir, "inventory.yml");
      const varsFile = join(dir, "workload.json");
      await writeFile(inventoryFile, inventory, { mode: 0o600 });
      await writeFile(
        varsFile,
        JSON.stringify({
          shadowops_workload_source_dir: dirname(workload.dagsDir),
          shadowops_workload_dags_dir: workload.dagsDir,
          shadowops_workload_r_dir: workload.rDir,
          shadowops_workload_migrations_dir: workload.migrationsDir,
        }),
        { mode: 0o600 },
      );
      const venvPlaybook = join(options.root, ".venv", "bin", "ansible-playbook");
      const playbook = options.ansiblePlaybook ?? (existsSync(venvPlaybook) ? venvPlaybook : "ansible-playbook");
      const args = ["-i", inventoryFile, join(options.root, "ansible", "shadow-node.yml"), "-e", `@${varsFile}`];
      progress({ phase: "configure", message: `ansible-playbook ${args.join(" ")}` });
      await runPlaybook(playbook, args, {
        cwd: options.root,
        env: { ...(options.env ?? process.env), ANSIBLE_CONFIG: join(options.root, "ansible", "ansible.cfg"), ANSIBLE_FORCE_COLOR: "0" },
        progress,
        signal,
      });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  };
}

function runPlaybook(
  command: string,
  args: string[],
  options: { cwd: string; env: NodeJS.ProcessEnv; progress: Progress; signal?: AbortSignal },
): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, env: options.env, stdio: ["ignore", "pipe", "pipe"] });
    const tail: string[] = [];
    let partial = "";
    const onData = (chunk: Buffer) => {
      const lines = (partial + chunk.toString("utf8")).split("\n");
      partial = lines.pop() ?? "";
      for (const line of lines) {
        if (line.trim() === "") continue;
        tail.push(line);
        if (tail.length > TAIL_LINES) tail.shift();
        const task = /^(TASK|PLAY|RUNNING HANDLER) \[(.*)\]/.exec(line);
        if (task) options.progress({ phase: "configure", message: `${task[1] === "PLAY" ? "play" : "task"}: ${task[2]}` });
        else if (/^(fatal|failed):/.test(line)) options.progress({ phase: "configure", message: line });
      }
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    const onAbort = () => child.kill("SIGTERM");
    options.signal?.addEventListener("abort", onAbort, { once: true });
    child.on("error", (error) => {
      options.signal?.removeEventListener("abort", onAbort);
      reject(new HostConfigurationError(null, `${command}: ${error.message} (is Ansible installed? run \`npm run setup\`)`));
    });
    child.on("close", (code) => {
      options.signal?.removeEventListener("abort", onAbort);
      if (partial.trim()) tail.push(partial);
      if (options.signal?.aborted) return reject(options.signal.reason);
      if (code === 0) resolve();
      else reject(new HostConfigurationError(code, tail.slice(-TAIL_LINES).join("\n")));
    });
  });
}
