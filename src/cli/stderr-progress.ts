import type { Progress } from "../drivers/progress.js";

/** Progress lines on stderr, with the time since start, so stdout stays clean for reports and --json. */
export function stderrProgress(stream: NodeJS.WritableStream = process.stderr): Progress {
  const started = performance.now();
  return ({ phase, message }) => {
    const seconds = ((performance.now() - started) / 1000).toFixed(1).padStart(6);
    stream.write(`[${seconds}s] ${phase.padEnd(9)} ${message}\n`);
  };
}
