/**
 * A throwaway PostgreSQL cluster that answers as a shadow's Redshift cluster would: its own data
 * folder and server process (Debian's initdb and pg_ctl) on a free port of 127.0.0.1, TLS only
 * (pg_hba has `hostssl` lines alone, so a plain connection is refused, as Redshift with
 * require_ssl refuses it), with a server certificate for the cluster's endpoint names signed by a
 * test CA made here with openssl. Clients trust the CA by file: NODE_EXTRA_CA_CERTS for the CLI.
 *
 * initdb and the server refuse to run as root (CI runs the tests as root): then they run as the
 * `postgres` user that Debian's postgresql package creates (scripts/setup.sh installs it), the
 * way scripts/setup.sh runs psql as that user with runuser.
 */
import { execFileSync, spawn } from "node:child_process";
import { chmodSync, chownSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { freePorts } from "../../src/drivers/local/tcp-ports.js";
import { postgresSettingsFromEnv, productionDatabaseName } from "../../src/warehouse/postgres-settings.js";

export interface TlsPostgres {
  host: string;
  port: number;
  /** The test CA's certificate (PEM file): what clients must trust. */
  caFile: string;
  /** The names the server certificate is valid for (DNS SANs, wildcards allowed). */
  serverNames: string[];
  /** A client of `database` as the cluster's own superuser, over TLS checked against `serverName`. */
  connect(database: string, serverName: string): Promise<pg.Client>;
  /**
   * Makes `database` a fresh copy of production owned by `owner` (a superuser, like Redshift's
   * admin user) whose password is `password`: what a restore of the production snapshot with the
   * generated admin password gives.
   */
  restoreProduction(params: { database: string; owner: string; password: string; serverName: string }): Promise<void>;
  /** What the server wrote to its log. */
  log(): string;
  /** Stops the server at once and removes its folder; safe to call twice. */
  stop(): Promise<void>;
}

const PRODUCTION_COPY = "production_snapshot";
const SUPERUSER = "cluster_root";

/** The newest PostgreSQL server binaries Debian installed (/usr/lib/postgresql/<version>/bin). */
export function postgresBinDir(): string {
  const root = "/usr/lib/postgresql";
  const versions = existsSync(root) ? readdirSync(root).filter((name) => existsSync(join(root, name, "bin", "initdb"))) : [];
  const newest = versions.sort((a, b) => Number(b) - Number(a))[0];
  if (!newest) throw new Error(`no PostgreSQL server binaries in ${root}: run \`npm run setup\` (it installs Debian's postgresql package)`);
  return join(root, newest, "bin");
}

/**
 * Starts the cluster and loads production into it: pg_dump of the production stand-in on the
 * local PostgreSQL (scripts/production builds it), restored once into a template database that
 * restoreProduction copies.
 */
export async function startTlsPostgres(options: { serverNames: string[] }): Promise<TlsPostgres> {
  const bin = postgresBinDir();
  const root = mkdtempSync(join(tmpdir(), "shadowops-tls-postgres-"));
  // The postgres user must reach the data folder when we are root.
  chmodSync(root, 0o755);
  const asRoot = process.getuid?.() === 0;
  const owner = asRoot ? postgresUser() : undefined;
  const run = (command: string, args: string[]) =>
    execFileSync(asRoot ? "runuser" : command, asRoot ? ["-u", "postgres", "--", command, ...args] : args, { cwd: root, stdio: ["ignore", "pipe", "pipe"] });
  const give = (path: string, mode: number) => {
    chmodSync(path, mode);
    if (owner) chownSync(path, owner.uid, owner.gid);
  };

  const tls = join(root, "tls");
  mkdirSync(tls);
  const caFile = join(tls, "ca.crt");
  issueCertificates(tls, options.serverNames);

  const data = join(root, "data");
  const logFile = join(root, "server.log");
  const passwordFile = join(root, "superuser-password");
  const password = randomBytes(18).toString("base64url");
  writeFileSync(passwordFile, password);
  mkdirSync(data);
  writeFileSync(logFile, "");
  give(passwordFile, 0o600);
  give(data, 0o700);
  give(logFile, 0o600);
  run(join(bin, "initdb"), ["-D", data, "-U", SUPERUSER, `--pwfile=${passwordFile}`, "--auth=scram-sha-256", "--encoding=UTF8", "--locale=C", "--no-sync"]);
  rmSync(passwordFile);

  for (const file of ["server.crt", "server.key"]) {
    copyFileSync(join(tls, file), join(data, file));
    give(join(data, file), 0o600);
  }
  const [port] = await freePorts(1);
  writeFileSync(
    join(data, "postgresql.auto.conf"),
    [
      `port = ${port}`,
      "listen_addresses = '127.0.0.1'",
      // No socket: nothing here uses one, and its folder would need the postgres user's rights.
      "unix_socket_directories = ''",
      "ssl = on",
      "ssl_cert_file = 'server.crt'",
      "ssl_key_file = 'server.key'",
      // Throwaway data: durability is not worth the time.
      "fsync = off",
      "synchronous_commit = off",
      "full_page_writes = off",
      "",
    ].join("\n"),
  );
  writeFileSync(join(data, "pg_hba.conf"), "# TLS only, as Redshift with require_ssl\nhostssl all all 127.0.0.1/32 scram-sha-256\n");
  give(join(data, "postgresql.auto.conf"), 0o600);
  give(join(data, "pg_hba.conf"), 0o600);

  let running = false;
  const stop = async () => {
    if (running) {
      running = false;
      try {
        run(join(bin, "pg_ctl"), ["-D", data, "-m", "immediate", "-w", "stop"]);
      } catch {
        // already gone
      }
    }
    rmSync(root, { recursive: true, force: true });
  };

  const serverName = options.serverNames[0]!.replace(/^\*/, "cluster");
  const superuser = { host: "127.0.0.1", port: port!, user: SUPERUSER, password, ssl: { ca: readFileSync(caFile, "utf8"), servername: serverName } };
  const connect = async (database: string, name: string) => {
    const client = new pg.Client({ ...superuser, database, ssl: { ...superuser.ssl, servername: name } });
    await client.connect();
    return client;
  };
  try {
    try {
      run(join(bin, "pg_ctl"), ["-D", data, "-l", logFile, "-w", "-t", "60", "start"]);
    } catch (error) {
      throw new Error(`the throwaway PostgreSQL did not start: ${(error as Error).message}\n${readFileSync(logFile, "utf8")}`);
    }
    running = true;
    const admin = await connect("postgres", serverName);
    try {
      await admin.query(`CREATE DATABASE ${PRODUCTION_COPY}`);
    } finally {
      await admin.end();
    }
    await copyProduction({ port: port!, password, caFile, serverName, database: PRODUCTION_COPY });
  } catch (error) {
    await stop();
    throw error;
  }

  return {
    host: "127.0.0.1",
    port: port!,
    caFile,
    serverNames: options.serverNames,
    connect,
    async restoreProduction({ database, owner: role, password: rolePassword, serverName: name }) {
      const admin = await connect("postgres", name);
      try {
        const ident = admin.escapeIdentifier(role);
        const exists = (await admin.query("SELECT 1 FROM pg_roles WHERE rolname = $1", [role])).rowCount === 1;
        await admin.query(`${exists ? "ALTER" : "CREATE"} ROLE ${ident} WITH LOGIN SUPERUSER PASSWORD ${admin.escapeLiteral(rolePassword)}`);
        await admin.query(`DROP DATABASE IF EXISTS ${admin.escapeIdentifier(database)} WITH (FORCE)`);
        await admin.query(`CREATE DATABASE ${admin.escapeIdentifier(database)} OWNER ${ident} TEMPLATE ${PRODUCTION_COPY}`);
      } finally {
        await admin.end();
      }
    },
    log: () => (existsSync(logFile) ? readFileSync(logFile, "utf8") : ""),
    stop,
  };
}

/** A test CA, and a server certificate for `names` signed by it (tls/ca.crt, tls/server.crt, tls/server.key). */
function issueCertificates(dir: string, names: string[]): void {
  const openssl = (args: string[]) => execFileSync("openssl", args, { cwd: dir, stdio: ["ignore", "pipe", "pipe"] });
  openssl([
    "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=ShadowOps test CA",
    "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign",
    "-keyout", "ca.key", "-out", "ca.crt",
  ]);
  openssl(["req", "-newkey", "rsa:2048", "-nodes", "-subj", `/CN=${names[0]}`, "-keyout", "server.key", "-out", "server.csr"]);
  writeFileSync(
    join(dir, "server.ext"),
    `basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\nsubjectAltName=${names.map((name) => `DNS:${name}`).join(",")}\n`,
  );
  openssl(["x509", "-req", "-in", "server.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial", "-days", "2", "-extfile", "server.ext", "-out", "server.crt"]);
}

/** pg_dump of the production stand-in piped into the cluster's `database`. */
function copyProduction(target: { port: number; password: string; caFile: string; serverName: string; database: string }): Promise<void> {
  const source = postgresSettingsFromEnv();
  const production = productionDatabaseName();
  const dump = spawn("pg_dump", ["--no-owner", "--no-privileges", "-h", source.host, "-p", String(source.port), "-U", source.user, "-d", production], {
    env: { ...process.env, PGPASSWORD: source.password },
    stdio: ["ignore", "pipe", "pipe"],
  });
  // verify-full: libpq checks the certificate against the name while connecting to 127.0.0.1.
  const restore = spawn(
    "psql",
    ["-q", "-X", "-v", "ON_ERROR_STOP=1", `host=${target.serverName} hostaddr=127.0.0.1 port=${target.port} user=${SUPERUSER} dbname=${target.database} sslmode=verify-full sslrootcert=${target.caFile}`],
    { env: { ...process.env, PGPASSWORD: target.password }, stdio: ["pipe", "ignore", "pipe"] },
  );
  dump.stdout.pipe(restore.stdin);
  let errors = "";
  dump.stderr.on("data", (chunk) => (errors += chunk));
  restore.stderr.on("data", (chunk) => (errors += chunk));
  const exit = (child: ReturnType<typeof spawn>) => new Promise<number | null>((resolve) => child.on("close", resolve));
  return Promise.all([exit(dump), exit(restore)]).then(([dumped, restored]) => {
    if (dumped !== 0 || restored !== 0) {
      throw new Error(`copying ${production} from ${source.host}:${source.port} failed (pg_dump ${dumped}, psql ${restored}): ${errors.trim()}`);
    }
  });
}

function postgresUser(): { uid: number; gid: number } {
  const [uid, gid] = ["-u", "-g"].map((flag) => Number(execFileSync("id", [flag, "postgres"], { encoding: "utf8" }).trim()));
  if (!Number.isInteger(uid) || !Number.isInteger(gid)) throw new Error("no postgres user: run `npm run setup` (Debian's postgresql package creates it)");
  return { uid: uid!, gid: gid! };
}
