import { freePorts } from "../../src/drivers/local/tcp-ports.js";

/** A port on 127.0.0.1 that nothing listens on: an unreachable callback URL or tunnel. */
export async function closedPort(): Promise<number> {
  const [port] = await freePorts(1);
  return port!;
}
