import { EXIT } from "../cli-errors.js";
import { createDriver, type DriverOptions } from "../create-driver.js";
import { printOutput } from "../print-output.js";

export interface ListCommandOptions extends DriverOptions {
  json?: boolean;
}

export async function runListCommand(options: ListCommandOptions): Promise<number> {
  const records = await createDriver(options).list();
  const rows = records.map((r) => ({ name: r.name, state: r.state, createdAt: r.createdAt, expiresAt: r.expiresAt, airflowUrl: r.airflowUrl }));
  printOutput({
    json: Boolean(options.json),
    data: rows,
    text: () =>
      rows.length === 0
        ? `no ${options.driver} environments`
        : rows.map((r) => `${r.name.padEnd(24)} ${r.state.padEnd(12)} ${(r.expiresAt ? `expires ${r.expiresAt}` : "").padEnd(29)} ${r.airflowUrl ?? ""}`.trimEnd()).join("\n"),
  });
  return EXIT.ok;
}
