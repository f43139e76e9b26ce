import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createTemplateEngine, type TemplateEngine } from "./template-helpers.js";

/**
 * The package's templates folder. This file is two levels below the package root both as
 * src/report/load-templates.ts (vitest) and as dist/report/load-templates.js (built).
 */
const TEMPLATES_DIR = fileURLToPath(new URL("../../templates/", import.meta.url));

export type TemplateName =
  | "report-terminal"
  | "report-markdown"
  | "report-markdown-cut-note"
  | "report-markdown-render-failed"
  /** The GitHub App's texts: templates/bot/NAME.hbs. */
  | `bot/${string}`;

export type CompiledTemplate = (context: object) => string;

interface LoadedTemplates {
  engine: TemplateEngine;
  compiled: Map<TemplateName, CompiledTemplate>;
}

let loaded: LoadedTemplates | undefined;

/**
 * A compiled template from templates/NAME.hbs, with every partial in templates/partials/
 * registered under its file name. Files are read once, on first use. Templates are compiled
 * strict, so a field missing from the view throws instead of printing nothing; a template or
 * partial whose name contains "terminal" is plain text, the others get HTML escaping.
 */
export function loadTemplate(name: TemplateName): CompiledTemplate {
  loaded ??= loadPartials();
  const cached = loaded.compiled.get(name);
  if (cached) return cached;
  const delegate = compile(loaded.engine, name, readFileSync(join(TEMPLATES_DIR, `${name}.hbs`), "utf8"));
  const template: CompiledTemplate = (context) => delegate(context);
  loaded.compiled.set(name, template);
  return template;
}

function loadPartials(): LoadedTemplates {
  const engine = createTemplateEngine();
  const partialsDir = join(TEMPLATES_DIR, "partials");
  for (const file of readdirSync(partialsDir).filter((entry) => entry.endsWith(".hbs")).sort()) {
    const name = file.slice(0, -".hbs".length);
    engine.registerPartial(name, compile(engine, name, readFileSync(join(partialsDir, file), "utf8")));
  }
  return { engine, compiled: new Map() };
}

function compile(engine: TemplateEngine, name: string, source: string): HandlebarsTemplateDelegate {
  return engine.compile(source, { strict: true, noEscape: name.includes("terminal") });
}
