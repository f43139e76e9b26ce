import { z } from "zod";
import { shadowOpsConfigSchema } from "./shadowops-config.js";

/** docs/shadowops.schema.json, relative to the package root. */
export const CONFIG_JSON_SCHEMA_PATH = "docs/shadowops.schema.json";

/** The JSON schema of `.github/shadowops.yml` (for editors and docs), generated from the zod schema. */
export function configJsonSchema(): string {
  const schema = z.toJSONSchema(shadowOpsConfigSchema, { io: "input" });
  return `${JSON.stringify(
    {
      ...schema,
      $id: "https://github.com/shadowops/shadowops/docs/shadowops.schema.json",
      title: ".github/shadowops.yml",
      description: "Settings of the ShadowOps GitHub App for one repository.",
    },
    null,
    2,
  )}\n`;
}
