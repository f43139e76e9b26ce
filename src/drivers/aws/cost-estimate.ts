import { InvalidSettingError, UnknownPriceError } from "./aws-errors.js";

/**
 * On-demand list prices in USD per hour, us-east-1, Linux, as published on the AWS pricing pages
 * (aws.amazon.com/ec2/pricing/on-demand, aws.amazon.com/redshift/pricing) in June 2025. Other
 * regions cost more or less; the estimate says which region the prices are for. Update the date
 * with the numbers.
 *
 * Checked again in November 2026, without a first-hand source: AWS's pricing pages build their
 * tables in the browser, and no stored copy of them shows the numbers. Only the default host's
 * price was corroborated, t3.large at $0.0832/h in us-east-1, by a third-party 2026 guide
 * (https://go-cloud.io/?p=10607). The rest stays as of June 2025 until someone reads the pages.
 */
export const PRICE_TABLE = {
  asOf: "2025-06",
  region: "us-east-1",
  /** Amazon EC2 On-Demand, Linux/Unix, shared tenancy. */
  ec2: {
    "t3.medium": 0.0416,
    "t3.large": 0.0832,
    "t3.xlarge": 0.1664,
    "t3.2xlarge": 0.3328,
    "m5.large": 0.096,
    "m5.xlarge": 0.192,
    "m5.2xlarge": 0.384,
    "m6i.large": 0.096,
    "m6i.xlarge": 0.192,
    "m6i.2xlarge": 0.384,
    "m7i.large": 0.1008,
    "m7i.xlarge": 0.2016,
    "m7i.2xlarge": 0.4032,
    "r6i.large": 0.126,
    "r6i.xlarge": 0.252,
    "c6i.xlarge": 0.17,
  } as Record<string, number>,
  /** Amazon Redshift provisioned, On-Demand, per node. RA3 managed storage is billed apart. */
  redshift: {
    "ra3.large": 0.543,
    "ra3.xlplus": 1.086,
    "ra3.4xlarge": 3.26,
    "ra3.16xlarge": 13.04,
    "dc2.large": 0.25,
    "dc2.8xlarge": 4.8,
  } as Record<string, number>,
  /** The Elastic IP of the host (public IPv4, $0.005/h) and its 30 GB gp3 root volume ($0.08/GB-month ÷ 730 h). */
  hostExtras: 0.005 + (30 * 0.08) / 730,
} as const;

export interface CostEstimateParams {
  instanceType: string;
  nodeType: string;
  nodes: number;
  /** Where the stack runs; the table's prices are for PRICE_TABLE.region. */
  region?: string;
}

export interface CostEstimate {
  hourlyUsd: number;
  host: { instanceType: string; hourlyUsd: number };
  warehouse: { nodeType: string; nodes: number; hourlyUsd: number };
  extrasHourlyUsd: number;
  pricesAsOf: string;
  pricesRegion: string;
  /** One line for people: "$1.17/h (t3.large $0.08 + 1 × ra3.xlplus $1.09 + …; us-east-1 prices of 2025-06)". */
  summary: string;
}

/** Throws UnknownPriceError for a type the table does not know (checked before anything is created). */
export function estimateCost(params: CostEstimateParams): CostEstimate {
  const host = PRICE_TABLE.ec2[params.instanceType];
  if (host === undefined) throw new UnknownPriceError("EC2 instance type", params.instanceType, Object.keys(PRICE_TABLE.ec2));
  const node = PRICE_TABLE.redshift[params.nodeType];
  if (node === undefined) throw new UnknownPriceError("Redshift node type", params.nodeType, Object.keys(PRICE_TABLE.redshift));
  if (!Number.isInteger(params.nodes) || params.nodes < 1 || params.nodes > 100) {
    throw new InvalidSettingError(`the warehouse needs 1 to 100 nodes (--nodes or SHADOWOPS_WAREHOUSE_NODES), got ${params.nodes}`);
  }
  const warehouse = node * params.nodes;
  const hourlyUsd = round(host + warehouse + PRICE_TABLE.hostExtras);
  const elsewhere = params.region && params.region !== PRICE_TABLE.region ? `; ${params.region} may differ` : "";
  return {
    hourlyUsd,
    host: { instanceType: params.instanceType, hourlyUsd: host },
    warehouse: { nodeType: params.nodeType, nodes: params.nodes, hourlyUsd: round(warehouse) },
    extrasHourlyUsd: round(PRICE_TABLE.hostExtras),
    pricesAsOf: PRICE_TABLE.asOf,
    pricesRegion: PRICE_TABLE.region,
    summary:
      `$${hourlyUsd.toFixed(2)}/h (${params.instanceType} $${host.toFixed(4)} + ${params.nodes} × ${params.nodeType} ` +
      `$${node.toFixed(3)} + public IP and disk $${PRICE_TABLE.hostExtras.toFixed(4)}; ` +
      `on-demand ${PRICE_TABLE.region} prices of ${PRICE_TABLE.asOf}${elsewhere}; Redshift storage not included)`,
  };
}

function round(usd: number): number {
  return Math.round(usd * 10_000) / 10_000;
}
