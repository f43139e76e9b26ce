/**
 * How long a local shadow test takes, cold and warm, measured on the real thing
 * (PostgreSQL, Airflow 3, R). Prints numbers; sets no pass/fail threshold — the README
 * states the target (warm re-test at least 5× faster than cold) and the measured values.
 *
 *   npm run bench:local        (SHADOWOPS_BENCH_RUNS=3 for more samples)
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createDriver } from "../src/cli/create-driver.js";
import type { ShadowReport } from "../src/core/shadow-report.js";
import { PACKAGE_ROOT } from "../src/package-root.js";
import { runShadowTest } from "../src/shadow-test/run-shadow-test.js";

const runs = Number(process.env.SHADOWOPS_BENCH_RUNS ?? "1");
const home = mkdtempSync(join(tmpdir(), "shadowops-bench-"));
const driver = createDriver({ driver: "local" }, { ...process.env, SHADOWOPS_HOME: home, SHADOWOPS_TASK_RETRIES: "0" });
const workload = { dagsDir: join(PACKAGE_ROOT, "dags"), rDir: join(PACKAGE_ROOT, "r"), migrationsDir: join(PACKAGE_ROOT, "migrations") };

let cloneMs = 0;
const progress = ({ message }: { message: string }) => {
  const clone = /warehouse copied in ([\d.]+) s/.exec(message);
  if (clone) cloneMs = Number(clone[1]) * 1000;
};

const phase = (report: ShadowReport, name: string) => report.timings.find((t) => t.phase === name)?.durationMs ?? 0;
const total = (report: ShadowReport) => report.timings.reduce((sum, t) => sum + t.durationMs, 0);
const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

const samples: Record<string, number[]> = { clone: [], airflowReady: [], dagCold: [], cold: [], warm: [], dagWarm: [] };
try {
  for (let i = 0; i < runs; i++) {
    const environment = `bench-${i}`;
    const base = { driver, environment, workload, dagId: "warehouse_metrics", progress };
    const started = performance.now();
    const cold = await runShadowTest({ ...base, keep: true });
    const coldKeptMs = performance.now() - started;
    const warm = await runShadowTest({ ...base, keep: true });
    const downStarted = performance.now();
    await driver.down({ environment, progress });
    const downMs = performance.now() - downStarted;
    if (cold.outcome !== "passed" || warm.outcome !== "passed") {
      throw new Error(`the reference DAG failed during the benchmark: ${cold.failure ?? warm.failure}`);
    }
    samples.clone!.push(cloneMs);
    samples.airflowReady!.push(phase(cold, "up") - cloneMs);
    samples.dagCold!.push(phase(cold, "run"));
    // A cold `shadowops test` without --keep also tears down: count that in.
    samples.cold!.push(coldKeptMs + downMs);
    samples.warm!.push(total(warm));
    samples.dagWarm!.push(phase(warm, "run"));
  }
} finally {
  for (const record of await driver.list()) await driver.down({ environment: record.name, progress });
  rmSync(home, { recursive: true, force: true });
}

const rows: [string, number][] = [
  ["production clone (CREATE DATABASE … TEMPLATE)", median(samples.clone!)],
  ["Airflow ready (start → healthy)", median(samples.airflowReady!)],
  ["DAG run, cold (trigger → done)", median(samples.dagCold!)],
  ["DAG run, warm", median(samples.dagWarm!)],
  ["shadowops test, cold (up → down)", median(samples.cold!)],
  ["shadowops test, warm re-test", median(samples.warm!)],
];
console.log(`local shadow benchmark — median of ${runs} run(s), ${new Date().toISOString()}`);
for (const [name, ms] of rows) console.log(`  ${name.padEnd(48)} ${seconds(ms).padStart(10)}`);
const ratio = median(samples.cold!) / median(samples.warm!);
console.log(`  ${"cold / warm ratio".padEnd(48)} ${ratio.toFixed(1).padStart(8)}×   (target ≥ 5×)`);
