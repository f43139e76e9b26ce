import { readFile } from "node:fs/promises";
import { shadowReportSchema } from "../bot/callbacks/callback-event.js";
import type { ShadowReport } from "../core/shadow-report.js";
import { UsageError } from "./cli-errors.js";

/** A ShadowReport file as `shadowops test|migrate|run-dag --json` wrote it, checked against the schema the bot uses. */
export async function readReportFile(file: string): Promise<ShadowReport> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    throw new UsageError(`cannot read the report ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new UsageError(`the report ${file} is not JSON: write it with \`shadowops test --json > ${file}\``);
  }
  const parsed = shadowReportSchema.safeParse(json);
  if (!parsed.success) {
    const problems = parsed.error.issues.slice(0, 10).map((issue) => `${issue.path.join(".") || "(report)"}: ${issue.message}`);
    throw new UsageError(`the report ${file} is not a shadow test report: ${problems.join("; ")}`);
  }
  return parsed.data;
}
