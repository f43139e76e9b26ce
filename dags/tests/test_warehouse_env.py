"""The PG* templates render into what libpq expects, for local and Redshift URIs."""

from __future__ import annotations

import os
import subprocess
from types import SimpleNamespace
from urllib.parse import quote

import jinja2
import pytest
import warehouse_clone
from airflow.sdk.definitions.connection import Connection
from include.warehouse_env import warehouse_env

CA_BUNDLE = "/etc/ssl/certs/ca-certificates.crt"


def render(uri: str) -> dict[str, str]:
    conn = Connection.from_uri(uri, conn_id="shadow_warehouse")
    context = {"conn": SimpleNamespace(shadow_warehouse=conn)}
    environment = jinja2.Environment(undefined=jinja2.StrictUndefined)
    return {
        name: environment.from_string(template).render(context)
        for name, template in warehouse_env("shadow_warehouse").items()
    }


def test_local_postgres_uri():
    assert render("postgres://etl:s3cret@127.0.0.1:5432/shadow_1") == {
        "PGHOST": "127.0.0.1",
        "PGPORT": "5432",
        "PGDATABASE": "shadow_1",
        "PGUSER": "etl",
        "PGPASSWORD": "s3cret",
        "PGSSLMODE": "prefer",
        "PGSSLROOTCERT": "",
    }


def test_redshift_uri_keeps_port_sslmode_and_ca_file():
    # What the shadowops_connections role writes on a shadow host.
    env = render(
        "postgres://etl:pw@shadow-1.abc.eu-west-1.redshift.amazonaws.com:5439/dev"
        f"?sslmode=verify-full&sslrootcert={quote(CA_BUNDLE, safe='')}"
    )
    assert (
        env["PGHOST"],
        env["PGPORT"],
        env["PGSSLMODE"],
        env["PGSSLROOTCERT"],
    ) == (
        "shadow-1.abc.eu-west-1.redshift.amazonaws.com",
        "5439",
        "verify-full",
        CA_BUNDLE,
    )


def test_uri_without_port_gets_libpq_default():
    assert render("postgres://etl:pw@db.internal/warehouse")["PGPORT"] == "5432"


@pytest.mark.parametrize("password", ["p@ss/word", "with space", "per%cent"])
def test_url_encoded_passwords_arrive_decoded(password):
    uri = f"postgres://etl:{quote(password, safe='')}@127.0.0.1:5432/db"
    assert render(uri)["PGPASSWORD"] == password


def psql_with(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """psql (libpq, the library R's RPostgreSQL uses) with nothing but the rendered env."""
    inherited = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    return subprocess.run(
        ["psql", "-X", "-tA", "-c", "SELECT 'connected'"],
        env={**inherited, **env},
        check=False,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_libpq_verifies_the_server_against_the_connections_ca_file(tmp_path):
    # A CA that signed nothing the local PostgreSQL serves: verify-full must refuse it.
    # (A CA that did sign the server's certificate is accepted in the aws orb execution
    # test, where the R tasks reach a TLS stand-in of Redshift with verify-full.)
    wrong_ca = tmp_path / "wrong-ca.crt"
    new_ca = "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes"
    subprocess.run(
        [*new_ca.split(), "-days", "1", "-subj", "/CN=not the warehouse's CA"]
        + ["-keyout", str(tmp_path / "wrong-ca.key"), "-out", str(wrong_ca)],
        check=True,
        capture_output=True,
    )
    admin = warehouse_clone.admin_settings()
    base = (
        f"postgres://{quote(admin['user'], safe='')}:{quote(admin['password'], safe='')}"
        f"@{admin['host']}:{admin['port']}/postgres"
    )

    # Encrypted without verification connects: the server speaks TLS, the login is right.
    unverified = psql_with(render(f"{base}?sslmode=require"))
    assert unverified.stdout.strip() == "connected", unverified.stderr

    ca = quote(str(wrong_ca), safe="")
    refused = psql_with(render(f"{base}?sslmode=verify-full&sslrootcert={ca}"))
    assert refused.returncode != 0
    assert "certificate verify failed" in refused.stderr, refused.stderr
