import { EXIT } from "../cli-errors.js";
import { createAwsDriver, type DriverOptions } from "../create-driver.js";
import { printOutput } from "../print-output.js";
import { stderrProgress } from "../stderr-progress.js";

export interface ExtendCommandOptions extends DriverOptions {
  env: string;
  ttl?: number;
  by?: number;
  expiresAt?: string;
  json?: boolean;
}

export async function runExtendCommand(options: ExtendCommandOptions): Promise<number> {
  const driver = createAwsDriver(options);
  const record = await driver.extend({
    environment: options.env,
    ttlMs: options.ttl,
    byMs: options.by,
    until: options.expiresAt,
    progress: stderrProgress(),
  });
  printOutput({
    json: Boolean(options.json),
    data: { name: record.name, expiresAt: record.expiresAt },
    text: () => `environment ${record.name} now expires at ${record.expiresAt}`,
  });
  return EXIT.ok;
}
