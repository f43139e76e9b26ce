import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { Ajv, type ValidateFunction } from "ajv";

/**
 * GitHub's own description of its REST API (@octokit/openapi), to check every request body the
 * bot sends: GitHub's limits (65,535-character outputs, 20-character action labels, enums) are
 * in these schemas. Loaded once per test file (73 MB, under a second).
 */
interface Operation {
  requestBody?: { required?: boolean; content?: { "application/json"?: { schema?: object } } };
}
type Spec = { paths: Record<string, Record<string, Operation>> };

let spec: Spec | undefined;
let routes: { template: string; pattern: RegExp; literals: number }[] = [];
const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false, logger: false });
const compiled = new Map<string, ValidateFunction>();

function load(): Spec {
  if (spec) return spec;
  const require = createRequire(import.meta.url);
  const path = require.resolve("@octokit/openapi/generated/api.github.com.deref.json");
  spec = JSON.parse(readFileSync(path, "utf8")) as Spec;
  routes = Object.keys(spec.paths).map((template) => ({
    template,
    pattern: new RegExp(`^${template.replace(/[.*+?^$()|[\]\\]/g, "\\$&").replace(/\{[^}]+\}/g, "[^/]+")}$`),
    literals: template.split("/").filter((part) => part !== "" && !part.startsWith("{")).length,
  }));
  return spec;
}

/** The OpenAPI path template of a request path ("/repos/{owner}/{repo}/check-runs"), or null. */
export function operationPath(method: string, path: string): string | null {
  const paths = load().paths;
  const bare = decodeURIComponent(path.split("?")[0] ?? "").replace(/^\/api\/v3/, "");
  const candidates = routes.filter((route) => route.pattern.test(bare) && paths[route.template]?.[method.toLowerCase()]);
  candidates.sort((a, b) => b.literals - a.literals);
  return candidates[0]?.template ?? null;
}

/** Problems with a request body against GitHub's schema for the operation; [] when it is valid. */
export function validateGitHubRequest(method: string, path: string, body: string): string[] {
  if (body === "" && (method === "GET" || method === "HEAD" || method === "DELETE")) return [];
  const template = operationPath(method, path);
  if (template === null) return [`${method} ${path}: not an operation of GitHub's REST API`];
  const operation = load().paths[template]![method.toLowerCase()]!;
  const schema = operation.requestBody?.content?.["application/json"]?.schema;
  if (!schema) return [];
  if (body === "") return operation.requestBody?.required ? [`${method} ${template}: the body is required`] : [];
  const key = `${method.toLowerCase()} ${template}`;
  let validate = compiled.get(key);
  if (!validate) {
    validate = ajv.compile(schema);
    compiled.set(key, validate);
  }
  const parsed: unknown = JSON.parse(body);
  if (validate(parsed)) return [];
  return (validate.errors ?? []).map((error) => `${method} ${template}: ${error.instancePath || "(body)"} ${error.message ?? ""} ${JSON.stringify(error.params)}`);
}
