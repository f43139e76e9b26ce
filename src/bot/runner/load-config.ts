import { parseShadowOpsConfig, unreadableConfig, type ParsedConfig } from "../config/parse-shadowops-config.js";

/** The checked config, plus the label to act on even when the rest of it is invalid. */
export type LoadedConfig = ParsedConfig & { label: string };

const DEFAULT_LABEL = "shadow";

/** Reads and checks `.github/shadowops.yml`; `read` is context.config("shadowops.yml") in the app. */
export async function loadConfig(read: () => Promise<unknown>): Promise<LoadedConfig> {
  let raw: unknown;
  try {
    raw = await read();
  } catch (error) {
    return { ...unreadableConfig(error), label: DEFAULT_LABEL };
  }
  const parsed = parseShadowOpsConfig(raw);
  return { ...parsed, label: parsed.ok ? parsed.config.label : rawLabel(raw) };
}

function rawLabel(raw: unknown): string {
  const label = typeof raw === "object" && raw !== null ? (raw as { label?: unknown }).label : undefined;
  return typeof label === "string" && label !== "" ? label : DEFAULT_LABEL;
}
