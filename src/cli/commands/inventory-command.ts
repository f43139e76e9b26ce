import { EXIT } from "../cli-errors.js";
import { createAwsDriver, type DriverOptions } from "../create-driver.js";

export interface InventoryCommandOptions extends DriverOptions {
  env: string;
}

/** Prints the Ansible inventory (YAML) of an AWS shadow: `shadowops inventory --env X > inventory.yml`. */
export async function runInventoryCommand(options: InventoryCommandOptions): Promise<number> {
  const inventory = await createAwsDriver(options).inventory(options.env);
  process.stdout.write(inventory);
  return EXIT.ok;
}
