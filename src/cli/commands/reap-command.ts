import { EXIT } from "../cli-errors.js";
import { createAwsDriver, type DriverOptions } from "../create-driver.js";
import { printOutput } from "../print-output.js";
import { stderrProgress } from "../stderr-progress.js";

export interface ReapCommandOptions extends DriverOptions {
  dryRun: boolean;
  json?: boolean;
}

/** What the scheduled reaper runs: destroys every shadow whose expiry has passed; exit 3 if one could not be. */
export async function runReapCommand(options: ReapCommandOptions): Promise<number> {
  const driver = createAwsDriver(options);
  const result = await driver.reap({ dryRun: options.dryRun, progress: stderrProgress() });
  printOutput({
    json: Boolean(options.json),
    data: result,
    text: () => {
      const lines = [
        ...result.expired.map((e) =>
          result.dryRun ? `would destroy ${e.name} (expired ${e.expiresAt})` : result.destroyed.includes(e.name) ? `destroyed ${e.name} (expired ${e.expiresAt})` : "",
        ),
        ...result.failed.map((f) => `could not destroy ${f.name}: ${f.error}`),
        ...result.skipped.map((s) => `left ${s.name} alone: ${s.reason}`),
      ].filter((line) => line !== "");
      if (result.expired.length === 0) lines.unshift(`no shadow in ${driver.region} has expired`);
      else if (result.dryRun) lines.push("(dry run: nothing was destroyed)");
      return lines.join("\n");
    },
  });
  return result.failed.length > 0 ? EXIT.environment : EXIT.ok;
}
