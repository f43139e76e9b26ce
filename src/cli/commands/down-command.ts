import { EXIT } from "../cli-errors.js";
import { createDriver, type DriverOptions } from "../create-driver.js";
import { printOutput } from "../print-output.js";
import { stderrProgress } from "../stderr-progress.js";

export interface DownCommandOptions extends DriverOptions {
  env: string;
  json?: boolean;
}

export async function runDownCommand(options: DownCommandOptions): Promise<number> {
  const driver = createDriver(options);
  await driver.down({ environment: options.env, progress: stderrProgress() });
  printOutput({ json: Boolean(options.json), data: { name: options.env, state: "destroyed" }, text: () => `environment ${options.env} destroyed` });
  return EXIT.ok;
}
