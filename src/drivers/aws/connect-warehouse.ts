import pg from "pg";
import type { SqlClient } from "../../migrations/sql-client.js";
import { WarehouseUnreachableError } from "./aws-errors.js";
import type { ReadLogin } from "./read-secret.js";
import { parseTunnelAddress } from "./tunnel-address.js";

/** Where the shadow's Redshift cluster is, and the secret with its admin login. */
export interface WarehouseTarget {
  host: string;
  port: number;
  database: string;
  secretArn: string;
}

export type WarehouseConnection = SqlClient & { end(): Promise<void> };

export type ConnectWarehouse = (target: WarehouseTarget) => Promise<WarehouseConnection>;

/**
 * Connects to the shadow warehouse with the PostgreSQL protocol (which Redshift speaks) over TLS,
 * as its generated admin user. The cluster only accepts the shadow host, so from anywhere else the
 * connection goes through a tunnel: `address` (SHADOWOPS_WAREHOUSE_ADDRESS, host:port) replaces
 * the endpoint, and TLS still checks the certificate against the cluster's own name.
 */
export function pgWarehouseConnector(options: { readLogin: ReadLogin; address?: string; connectTimeoutMs?: number }): ConnectWarehouse {
  return async (target) => {
    // A malformed address is bad input, refused before the secret is read.
    const { host, port } = options.address ? parseTunnelAddress("SHADOWOPS_WAREHOUSE_ADDRESS", options.address, "127.0.0.1:15439") : target;
    const login = await options.readLogin(target.secretArn);
    const client = new pg.Client({
      host,
      port,
      database: target.database,
      user: login.username,
      password: login.password,
      ssl: { servername: target.host },
      connectionTimeoutMillis: options.connectTimeoutMs ?? 15_000,
    });
    try {
      await client.connect();
    } catch (error) {
      await client.end().catch(() => undefined);
      throw new WarehouseUnreachableError(`${host}:${port}`, (error as Error).message);
    }
    return client;
  };
}
