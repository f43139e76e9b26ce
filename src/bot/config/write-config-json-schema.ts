import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { PACKAGE_ROOT } from "../../package-root.js";
import { CONFIG_JSON_SCHEMA_PATH, configJsonSchema } from "./config-json-schema.js";

/** `npx tsx src/bot/config/write-config-json-schema.ts`: regenerate docs/shadowops.schema.json. */
writeFileSync(join(PACKAGE_ROOT, CONFIG_JSON_SCHEMA_PATH), configJsonSchema());
console.log(`wrote ${CONFIG_JSON_SCHEMA_PATH}`);
