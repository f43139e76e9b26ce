/**
 * Stand-ins for the programs the orb's scripts call (shadowops, aws, ansible-playbook), written
 * into a folder to put first on PATH. Each records its arguments, one JSON array per line, in
 * $FAKE_TOOLS_LOG, and answers just enough for the scripts to go on. Behaviour is chosen with
 * environment variables: FAKE_STATUS=live (an environment exists before the job), FAKE_MIGRATE_EXIT=0|1|3,
 * FAKE_DAG_EXIT=0|1|3,
 * FAKE_AWS_FAIL=1. The fake shadowops remembers what `up` created and `down` destroyed.
 */
import { chmodSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const SHADOWOPS = `#!/usr/bin/env node
const fs = require("fs");
const args = process.argv.slice(2);
fs.appendFileSync(process.env.FAKE_TOOLS_LOG, JSON.stringify(["shadowops", ...args]) + "\\n");
const option = (name) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : undefined; };
const env = option("--env") || "local";
const marker = require("path").join(require("path").dirname(process.env.FAKE_TOOLS_LOG), "environment-" + env);
switch (args[0]) {
  case "status":
    if (fs.existsSync(marker) || (process.env.FAKE_STATUS === "live" && !fs.existsSync(marker + ".destroyed"))) {
      console.log(JSON.stringify({ name: env, state: "passed", airflowUrl: "http://203.0.113.10:8080/", expiresAt: "2030-01-01T00:00:00.000Z", cost: { hourlyUsd: 1.25 } }));
    } else {
      console.error("shadowops: there is no environment named " + env);
      process.exit(2);
    }
    break;
  case "up":
    fs.writeFileSync(marker, "");
    console.log("environment " + env + " is up");
    break;
  case "down":
    fs.rmSync(marker, { force: true });
    fs.writeFileSync(marker + ".destroyed", "");
    console.log("environment " + env + " destroyed");
    break;
  case "migrate": {
    const code = Number(process.env.FAKE_MIGRATE_EXIT || "0");
    console.error("[   0.1s] migrate   applying 0001_fake.sql (1/1)");
    if (code > 1) { console.error("shadowops: cannot reach the warehouse at 127.0.0.1:1"); process.exit(code); }
    const migrations = [{ name: "0001_fake.sql", status: code === 0 ? "applied" : "failed", durationMs: 1, ...(code ? { error: "syntax error" } : {}) }];
    const report = { environment: env, driver: option("--driver"), outcome: code === 0 ? "passed" : "failed", ...(code ? { failure: "migration 0001_fake.sql failed: syntax error" } : {}), migrations, timings: [{ phase: "migrate", durationMs: 1 }] };
    if (option("--markdown")) fs.writeFileSync(option("--markdown"), "## Shadow test: migrations\\n");
    console.log(JSON.stringify(report));
    process.exit(code);
  }
  case "run-dag": {
    const code = Number(process.env.FAKE_DAG_EXIT || "0");
    console.error("[   0.2s] run       d: run shadowops__fake triggered");
    if (code > 1) { console.error("shadowops: Airflow at http://127.0.0.1:1 stopped answering"); process.exit(code); }
    const migrated = JSON.parse(fs.readFileSync(option("--migrations"), "utf8"));
    const report = { ...migrated, outcome: code === 0 ? "passed" : "failed", ...(code ? { failure: "DAG d failed: t1 failed" } : {}), dagRun: { dagId: "d", runId: "r", state: code === 0 ? "success" : "failed", tasks: [] } };
    if (option("--markdown")) fs.writeFileSync(option("--markdown"), "## Shadow test\\n");
    console.log(JSON.stringify(report));
    process.exit(code);
  }
  case "inventory":
    console.log("all: {}");
    break;
  default:
    break;
}
`;

const AWS = `#!/usr/bin/env bash
printf '%s\\n' "$(node -e 'console.log(JSON.stringify(["aws", ...process.argv.slice(1)]))' -- "$@")" >> "$FAKE_TOOLS_LOG"
if [ "\${FAKE_AWS_FAIL:-}" = 1 ]; then echo "An error occurred (AccessDenied) when calling the AssumeRoleWithWebIdentity operation: Not authorized" >&2; exit 254; fi
printf 'ASIAFAKEKEYID\\tfake-secret-access-key\\tfake-session-token\\t2030-01-01T00:00:00Z\\n'
`;

const ANSIBLE = `#!/usr/bin/env bash
printf '%s\\n' "$(node -e 'console.log(JSON.stringify(["ansible-playbook", ...process.argv.slice(1)]))' -- "$@")" >> "$FAKE_TOOLS_LOG"
`;

export interface FakeTools {
  /** Put this first on PATH. */
  bin: string;
  log: string;
  /** Every recorded call, in order. */
  calls: () => string[][];
}

/** Writes the fakes into `dir` (shadowops as an installed package of version `version`). */
export function writeFakeTools(dir: string, version: string): FakeTools {
  const bin = join(dir, "bin");
  const packageDir = join(dir, "package");
  mkdirSync(join(packageDir, "bin"), { recursive: true });
  mkdirSync(bin, { recursive: true });
  writeFileSync(join(packageDir, "package.json"), JSON.stringify({ name: "shadowops", version }));
  writeFileSync(join(packageDir, "bin", "shadowops.js"), SHADOWOPS);
  chmodSync(join(packageDir, "bin", "shadowops.js"), 0o755);
  writeFileSync(join(bin, "aws"), AWS);
  writeFileSync(join(bin, "ansible-playbook"), ANSIBLE);
  chmodSync(join(bin, "aws"), 0o755);
  chmodSync(join(bin, "ansible-playbook"), 0o755);
  // Like npm's global install: bin/shadowops links to the package's bin/shadowops.js.
  const link = join(bin, "shadowops");
  rmSync(link, { force: true });
  symlinkSync(join(packageDir, "bin", "shadowops.js"), link);
  const log = join(dir, "calls.jsonl");
  writeFileSync(log, "");
  return {
    bin,
    log,
    calls: () =>
      readFileSync(log, "utf8")
        .split("\n")
        .filter((line) => line.trim() !== "")
        .map((line) => JSON.parse(line) as string[]),
  };
}
