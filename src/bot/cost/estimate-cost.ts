/**
 * Placeholder hourly price of one shadow until the aws driver reports its own (the `ready`
 * callback's cost_per_hour_usd wins): an on-demand t3.large for Airflow and R plus a one-node
 * ra3.xlplus Redshift cluster in us-east-1.
 */
export const PLACEHOLDER_HOURLY_USD = 0.0832 + 1.086;

export interface EstimateCostParams {
  /** Price per hour; the placeholder when the driver did not say. */
  hourlyUsd: number | null;
  /** When the environment started to cost (null: not yet). */
  liveSince: number | null;
  /** Now, or when it was destroyed. */
  until: number;
  expiresAt: number;
}

export interface CostEstimate {
  hourlyUsd: number;
  soFarUsd: number;
  /** If it lives until it expires. */
  untilExpiryUsd: number;
  /** True when the price is the placeholder, not the driver's. */
  placeholder: boolean;
}

export function estimateCost({ hourlyUsd, liveSince, until, expiresAt }: EstimateCostParams): CostEstimate {
  const hourly = hourlyUsd ?? PLACEHOLDER_HOURLY_USD;
  const hours = (from: number, to: number) => Math.max(0, to - from) / 3_600_000;
  const start = liveSince ?? until;
  return {
    hourlyUsd: hourly,
    soFarUsd: hourly * hours(start, until),
    untilExpiryUsd: hourly * hours(start, Math.max(expiresAt, until)),
    placeholder: hourlyUsd === null,
  };
}

export function formatUsd(amount: number): string {
  return `$${amount.toFixed(2)}`;
}
