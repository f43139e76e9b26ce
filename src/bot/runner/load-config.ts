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
  if (typeof raw !== "object" || raw === null) return check(raw);
  // The config cache hands out the same object until the file changes: check it once.
  let loaded = checked.get(raw);
  if (!loaded) checked.set(raw, (loaded = check(raw)));
  return loaded;
}

const checked = new WeakMap<object, LoadedConfig>();

function check(raw: unknown): LoadedConfig {
  const parsed = parseShadowOpsConfig(raw);
  return { ...parsed, label: parsed.ok ? parsed.config.label : rawLabel(raw) };
}

function rawLabel(raw: unknown): string {
  const label = typeof raw === "object" && raw !== null ? (raw as { label?: unknown }).label : undefined;
  return typeof label === "string" && label !== "" ? label : DEFAULT_LABEL;
}
