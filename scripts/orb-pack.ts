/**
 * `npm run orb:pack`: packs orb/src (the orb development kit layout) into one orb YAML, the way
 * `circleci orb pack orb/src` does: root YAML files (@orb.yml) are the top level; each folder
 * becomes a key (commands, jobs, executors, examples) with one entry per file, named after the
 * file; a string that is exactly `<<include(path)>>` is replaced by that file's text, with `<<`
 * escaped as `\<<` so CircleCI does not read the script's heredocs as parameters. Keys are
 * sorted, as the CircleCI CLI's YAML encoder does, so the output is the same on every run.
 *
 *   npm run orb:pack                       # writes orb/dist/orb.yml
 *   npm run orb:pack -- --out FILE         # writes FILE ("-" for stdout)
 */
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { dirname, extname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { Document, parse } from "yaml";

export const ORB_ROOT = fileURLToPath(new URL("../orb/", import.meta.url));
export const ORB_SOURCE = join(ORB_ROOT, "src");
export const PACKED_ORB = join(ORB_ROOT, "dist", "orb.yml");

/** The CircleCI CLI's include syntax (process.MaybeIncludeFile). */
const INCLUDE = /<<\s*include\(([\w/.-]+)\)?\s*>>/g;

export class OrbPackError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "OrbPackError";
  }
}

export interface PackedOrb {
  /** The orb as data, includes inlined. */
  orb: Record<string, unknown>;
  /** The orb as YAML text: what `circleci orb validate` and `publish` take. */
  yaml: string;
}

/** Packs an orb source folder (default orb/src). Throws OrbPackError with the file at fault. */
export function packOrb(sourceDir: string = ORB_SOURCE): PackedOrb {
  const root = resolve(sourceDir);
  const tree: Record<string, unknown> = {};
  for (const entry of sortedEntries(root)) {
    const path = join(root, entry);
    if (statSync(path).isDirectory()) {
      if (entry.startsWith(".")) continue;
      const section = packFolder(root, path);
      if (section !== undefined) tree[entry] = { ...(asMap(tree[entry]) ?? {}), ...section };
    } else if (isYaml(entry)) {
      Object.assign(tree, readMap(root, path));
    }
  }
  const orb = inlineIncludes(root, tree, []) as Record<string, unknown>;
  return { orb, yaml: toYaml(orb) };
}

/** One folder's YAML files by name; files named @x.yml are merged into the folder's map. */
function packFolder(root: string, dir: string): Record<string, unknown> | undefined {
  const section: Record<string, unknown> = {};
  let yamlFiles = 0;
  for (const entry of sortedEntries(dir)) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory() || !isYaml(entry)) continue;
    yamlFiles += 1;
    if (entry.startsWith("@")) Object.assign(section, readMap(root, path));
    else section[entry.slice(0, -extname(entry).length)] = readYaml(root, path);
  }
  // Folders without YAML (scripts/) are only there to be included.
  return yamlFiles > 0 ? section : undefined;
}

function inlineIncludes(root: string, value: unknown, path: string[]): unknown {
  if (typeof value === "string") return includeFile(root, value, path);
  if (Array.isArray(value)) return value.map((item, index) => inlineIncludes(root, item, [...path, String(index)]));
  const map = asMap(value);
  if (map) return Object.fromEntries(Object.entries(map).map(([key, item]) => [key, inlineIncludes(root, item, [...path, key])]));
  return value;
}

function includeFile(root: string, value: string, path: string[]): string {
  const matches = [...value.matchAll(INCLUDE)];
  if (matches.length === 0) return value;
  const where = path.join(".");
  if (matches.length > 1) throw new OrbPackError(`${where}: multiple include statements in one value`);
  const [whole, file] = matches[0]!;
  if (whole !== value) throw new OrbPackError(`${where}: the include statement must be the entire value, got ${JSON.stringify(value)}`);
  const target = resolve(root, file!);
  if (relative(root, target).startsWith("..")) throw new OrbPackError(`${where}: ${file} is outside the orb's source folder`);
  let text: string;
  try {
    text = readFileSync(target, "utf8");
  } catch {
    throw new OrbPackError(`${where}: could not open ${file} for inclusion`);
  }
  return text.replaceAll("<<", "\\<<");
}

function readYaml(root: string, path: string): unknown {
  try {
    return parse(readFileSync(path, "utf8"), { uniqueKeys: true, prettyErrors: true });
  } catch (error) {
    throw new OrbPackError(`${relative(root, path)}: ${(error as Error).message}`);
  }
}

function readMap(root: string, path: string): Record<string, unknown> {
  const value = readYaml(root, path);
  if (value === null || value === undefined) return {};
  const map = asMap(value);
  if (!map) throw new OrbPackError(`${relative(root, path)}: expected a mapping at the top`);
  return map;
}

function asMap(value: unknown): Record<string, unknown> | undefined {
  return value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

function isYaml(name: string): boolean {
  return /.+\.(yml|yaml)$/.test(name);
}

function sortedEntries(dir: string): string[] {
  return readdirSync(dir).sort();
}

/** YAML with sorted keys and scripts as literal blocks, like the CircleCI CLI's output. */
export function toYaml(orb: unknown): string {
  const document = new Document(orb, { sortMapEntries: true });
  return document.toString({ lineWidth: 0, blockQuote: "literal", indent: 2 });
}

function main(argv: string[]): void {
  const outIndex = argv.indexOf("--out");
  const out = outIndex >= 0 ? argv[outIndex + 1] : PACKED_ORB;
  if (!out) throw new OrbPackError("--out needs a file (or - for stdout)");
  const { yaml } = packOrb();
  if (out === "-") {
    process.stdout.write(yaml);
    return;
  }
  mkdirSync(dirname(resolve(out)), { recursive: true });
  writeFileSync(out, yaml);
  process.stderr.write(`packed ${relative(process.cwd(), ORB_SOURCE) || "."} → ${relative(process.cwd(), resolve(out))} (${yaml.length} bytes)\n`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    main(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`orb:pack: ${(error as Error).message}\n`);
    process.exitCode = 1;
  }
}
