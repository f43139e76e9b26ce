const UNIT_MS = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/**
 * "90m", "4h", "1h30m", "2d" → milliseconds. Used for TTLs and timeouts on the CLI and in
 * PR comments, so the error says what a valid value looks like.
 */
export function parseDuration(text: string): number {
  const trimmed = text.trim().toLowerCase();
  const parts = [...trimmed.matchAll(/(\d+)\s*([smhd])/g)];
  const consumed = parts.map((part) => part[0]).join("");
  if (parts.length === 0 || consumed.replace(/\s/g, "") !== trimmed.replace(/\s/g, "")) {
    throw new Error(`"${text}" is not a duration: use a number with s, m, h or d, e.g. 30m, 4h or 1h30m`);
  }
  const ms = parts.reduce((sum, [, amount, unit]) => sum + Number(amount) * UNIT_MS[unit as keyof typeof UNIT_MS], 0);
  if (ms <= 0) throw new Error(`"${text}" is not a duration: it must be longer than zero`);
  return ms;
}
