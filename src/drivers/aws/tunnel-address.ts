import { InvalidSettingError } from "./aws-errors.js";

/** The local end of a tunnel to something only the shadow host can reach. */
export interface TunnelAddress {
  host: string;
  port: number;
}

/**
 * Reads `host:port` from the variable `name` (SHADOWOPS_WAREHOUSE_ADDRESS, SHADOWOPS_AIRFLOW_ADDRESS):
 * where an SSM port-forwarding session (or an SSH tunnel) listens on this machine. A value that
 * is not host:port is bad input (exit 2), reported before anything is done.
 */
export function parseTunnelAddress(name: string, value: string, example: string): TunnelAddress {
  const match = /^(.+):(\d+)$/.exec(value.trim());
  const port = match ? Number(match[2]) : Number.NaN;
  if (!match || port < 1 || port > 65_535) {
    throw new InvalidSettingError(`${name} "${value}" must be host:port, for example ${example}`);
  }
  return { host: match[1]!, port };
}

/**
 * The stack's Airflow URL (http://HOST_ADDRESS:8080) reached through a tunnel instead: same
 * scheme and path, the tunnel's host and port. Only where the client connects changes; the URL
 * shown to people (checks, deployments, `status`) stays the stack's.
 */
export function airflowUrlThrough(stackUrl: string, address: TunnelAddress): string {
  const url = new URL(stackUrl);
  url.host = `${address.host}:${address.port}`;
  const text = url.toString();
  // new URL() adds "/" to a bare origin; keep the stack's form.
  return stackUrl.endsWith("/") ? text : text.replace(/\/$/, "");
}
