import { shadowOpsConfigSchema, type ShadowOpsConfig } from "./shadowops-config.js";

export interface ConfigProblem {
  /** Dotted path of the offending value ("ttl.max", "dags.2"), or "(file)" for the file itself. */
  path: string;
  reason: string;
}

export type ParsedConfig = { ok: true; config: ShadowOpsConfig } | { ok: false; problems: ConfigProblem[] };

/** The repository's config (as read from YAML; null when there is none) checked against the schema. */
export function parseShadowOpsConfig(raw: unknown): ParsedConfig {
  const result = shadowOpsConfigSchema.safeParse(raw ?? {});
  if (result.success) return { ok: true, config: result.data };
  return {
    ok: false,
    problems: result.error.issues.map((issue) => {
      const at = issue.path.map(String).join(".");
      const keys = issue.code === "unrecognized_keys" ? issue.keys : [];
      if (keys.length > 0) {
        return { path: keys.map((key) => (at === "" ? key : `${at}.${key}`)).join(", "), reason: "unknown setting" };
      }
      return { path: at === "" ? "(file)" : at, reason: issue.message };
    }),
  };
}

/** A config that could not be read at all (invalid YAML, a directory, no access). */
export function unreadableConfig(error: unknown): ParsedConfig {
  const message = error instanceof Error ? error.message.replace(/^\[@probot\/octokit-plugin-config\]\s*/, "") : String(error);
  return { ok: false, problems: [{ path: "(file)", reason: message }] };
}
