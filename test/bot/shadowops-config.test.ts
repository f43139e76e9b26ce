import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CONFIG_JSON_SCHEMA_PATH, configJsonSchema } from "../../src/bot/config/config-json-schema.js";
import { parseShadowOpsConfig } from "../../src/bot/config/parse-shadowops-config.js";
import { PACKAGE_ROOT } from "../../src/package-root.js";

describe(".github/shadowops.yml", () => {
  it("gives every setting a default", () => {
    expect(parseShadowOpsConfig(null)).toEqual({
      ok: true,
      config: {
        circleci: {},
        label: "shadow",
        ttl: { default: "4h", max: "24h" },
        allowed_teams: [],
        dags: [],
        snapshot: "latest",
        auto_test: false,
        auto_test_paths: [],
        auto_retest: false,
        deployment_environment: "shadowops",
        max_live_environments: 3,
      },
    });
  });

  it.each([
    [{ ttl: { max: "1 week" } }, [{ path: "ttl.max", reason: expect.stringContaining("not a duration") }]],
    [{ ttl: { default: "48h" } }, [{ path: "ttl.default", reason: "must not be longer than ttl.max" }]],
    [{ dags: ["ok", "also_ok", "not ok"] }, [{ path: "dags.2", reason: expect.stringContaining("not a DAG id") }]],
    [{ auto_test: "yes" }, [{ path: "auto_test", reason: expect.stringContaining("boolean") }]],
    [{ auto_test_paths: ["dags/**", ""] }, [{ path: "auto_test_paths.1", reason: "an empty glob matches nothing: remove it" }]],
    [{ circleci: { project_slug: "circleci/org/project" } }, [{ path: "circleci.definition_id", reason: expect.stringContaining("needs circleci.definition_id") }]],
    [{ circleci: { project_slug: "gitlab/x" } }, [{ path: "circleci.project_slug", reason: expect.stringContaining("not a project slug") }]],
    [{ max_live_environments: 0 }, [{ path: "max_live_environments", reason: expect.any(String) }]],
    [{ auto_retest: "yes" }, [{ path: "auto_retest", reason: expect.any(String) }]],
    [{ ttls: { max: "2h" } }, [{ path: "ttls", reason: "unknown setting" }]],
    [{ circleci: { slug: "gh/a/b" } }, [{ path: "circleci.slug", reason: "unknown setting" }]],
    [{ deployment_environment: "pr/2" }, [{ path: "deployment_environment", reason: expect.stringContaining("not an environment name") }]],
    [{ deployment_environment: "" }, [{ path: "deployment_environment", reason: expect.stringContaining("not an environment name") }]],
    [{ allowed_teams: ["a team"] }, [{ path: "allowed_teams.0", reason: expect.stringContaining("not a team") }]],
    ["just a string", [{ path: "(file)", reason: expect.any(String) }]],
  ])("reports %j with the exact path and reason", (raw, problems) => {
    expect(parseShadowOpsConfig(raw)).toEqual({ ok: false, problems });
  });

  it("has a JSON schema that matches the zod schema (regenerate: npx tsx src/bot/config/write-config-json-schema.ts)", () => {
    expect(readFileSync(join(PACKAGE_ROOT, CONFIG_JSON_SCHEMA_PATH), "utf8")).toBe(configJsonSchema());
  });

  it("documents every setting in docs/shadowops-yml.md", () => {
    const docs = readFileSync(join(PACKAGE_ROOT, "docs/shadowops-yml.md"), "utf8");
    const schema = JSON.parse(configJsonSchema()) as { properties: Record<string, { properties?: Record<string, unknown> }> };
    const paths = Object.entries(schema.properties).flatMap(([key, value]) =>
      value.properties ? Object.keys(value.properties).map((child) => `${key}.${child}`) : [key],
    );
    for (const path of paths) expect(docs, path).toContain(`| \`${path}\` |`);
  });
});
