/**
 * A duration as people read it in reports: "850 ms", "12.3 s", "4 min 05 s", "1 h 02 min".
 * Each unit rounds to what it shows, so 59,960 ms reads "1 min 00 s", never "60.0 s".
 * A negative duration (clock skew between hosts) reads as zero; a missing or non-finite one
 * reads "unknown" so that a bad timing never breaks a report.
 */
export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return "unknown";
  const clamped = Math.max(0, ms);

  const wholeMs = Math.round(clamped);
  if (wholeMs < 1_000) return `${wholeMs} ms`;

  const tenthsOfSecond = Math.round(clamped / 100);
  if (tenthsOfSecond < 600) return `${(tenthsOfSecond / 10).toFixed(1)} s`;

  const seconds = Math.round(clamped / 1_000);
  if (seconds < 3_600) return `${Math.floor(seconds / 60)} min ${twoDigits(seconds % 60)} s`;

  const minutes = Math.round(clamped / 60_000);
  return `${Math.floor(minutes / 60)} h ${twoDigits(minutes % 60)} min`;
}

function twoDigits(value: number): string {
  return String(value).padStart(2, "0");
}
