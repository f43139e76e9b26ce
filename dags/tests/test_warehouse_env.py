"""The PG* templates render into what libpq expects, for local and Redshift URIs."""

from __future__ import annotations

from types import SimpleNamespace
from urllib.parse import quote

import jinja2
import pytest
from airflow.sdk.definitions.connection import Connection
from include.warehouse_env import warehouse_env


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
    }


def test_redshift_uri_keeps_port_and_sslmode():
    env = render(
        "postgres://etl:pw@shadow-1.abc.eu-west-1.redshift.amazonaws.com:5439/dev"
        "?sslmode=require"
    )
    assert (env["PGHOST"], env["PGPORT"], env["PGSSLMODE"]) == (
        "shadow-1.abc.eu-west-1.redshift.amazonaws.com",
        "5439",
        "require",
    )


def test_uri_without_port_gets_libpq_default():
    assert render("postgres://etl:pw@db.internal/warehouse")["PGPORT"] == "5432"


@pytest.mark.parametrize("password", ["p@ss/word", "with space", "per%cent"])
def test_url_encoded_passwords_arrive_decoded(password):
    uri = f"postgres://etl:{quote(password, safe='')}@127.0.0.1:5432/db"
    assert render(uri)["PGPASSWORD"] == password
