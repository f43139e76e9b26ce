import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * The folder holding package.json, templates/, dags/, r/ and the default .venv. This file is
 * src/package-root.ts in development and dist/package-root.js when built: one level down.
 */
export const PACKAGE_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
