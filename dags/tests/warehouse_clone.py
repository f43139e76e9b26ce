"""Disposable copies of the production stand-in, as a local shadow gets them.

A clone is `CREATE DATABASE ... TEMPLATE` of production plus every migrations/*.sql
applied with psql, the way the migration runner applies them. The DAG reaches it as a
dedicated login role that may read the sources and write the analytics schema only,
with a random password, so tests can also prove the password never reaches a log.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import psycopg2
from psycopg2 import sql

REPO_ROOT = Path(__file__).resolve().parents[2]
MIGRATIONS_DIR = REPO_ROOT / "migrations"


def admin_settings() -> dict[str, str]:
    """libpq settings of the admin (superuser) role, with the repo's usual defaults."""
    return {
        "host": os.environ.get("PGHOST", "127.0.0.1"),
        "port": os.environ.get("PGPORT", "5432"),
        "user": os.environ.get("PGUSER", "shadowops"),
        "password": os.environ.get("PGPASSWORD", "shadowops"),
    }


def production_database() -> str:
    return os.environ.get("SHADOWOPS_PRODUCTION_DB", "shadowops_production")


@contextmanager
def connect(dbname: str = "postgres") -> Iterator[psycopg2.extensions.connection]:
    conn = psycopg2.connect(dbname=dbname, **admin_settings())
    # CREATE/DROP DATABASE cannot run inside a transaction block.
    conn.autocommit = True
    try:
        yield conn
    finally:
        conn.close()


def execute(
    statement: sql.Composable | str, dbname: str = "postgres", params=None
) -> list[tuple]:
    with connect(dbname) as conn, conn.cursor() as cur:
        cur.execute(statement, params)
        return cur.fetchall() if cur.description else []


def _create_from_template(name: str, template: str, attempts: int = 30) -> None:
    # CREATE DATABASE ... TEMPLATE fails while anyone else is connected to the
    # template (another suite, a developer's psql); such sessions are usually short.
    statement = sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
        sql.Identifier(name), sql.Identifier(template)
    )
    for attempt in range(attempts):
        try:
            execute(statement)
            return
        except psycopg2.errors.ObjectInUse:
            if attempt == attempts - 1:
                raise
            time.sleep(1)


def apply_migrations(dbname: str) -> None:
    env = {
        **os.environ,
        **{f"PG{k.upper()}": v for k, v in admin_settings().items()},
        "PGDATABASE": dbname,
    }
    for migration in sorted(MIGRATIONS_DIR.glob("*.sql")):
        subprocess.run(
            ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-f", str(migration)],
            env=env,
            check=True,
            capture_output=True,
            text=True,
        )


@dataclass(frozen=True)
class WarehouseRole:
    name: str
    password: str


def create_role() -> WarehouseRole:
    role = WarehouseRole(
        f"shadowops_dagtest_{secrets.token_hex(4)}", secrets.token_hex(16)
    )
    execute(
        sql.SQL("CREATE ROLE {} LOGIN PASSWORD {}").format(
            sql.Identifier(role.name), sql.Literal(role.password)
        )
    )
    return role


def drop_role(role: WarehouseRole) -> None:
    execute(sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(role.name)))


def grant_pipeline_access(dbname: str, role: WarehouseRole) -> None:
    """What the DAG's warehouse user needs, and no more: read sources, rewrite results."""
    who = sql.Identifier(role.name)
    for statement in (
        "GRANT USAGE ON SCHEMA public, analytics TO {}",
        "GRANT SELECT ON ALL TABLES IN SCHEMA public TO {}",
        "GRANT SELECT, INSERT, DELETE ON ALL TABLES IN SCHEMA analytics TO {}",
    ):
        execute(sql.SQL(statement).format(who), dbname=dbname)


def create_clone(role: WarehouseRole) -> str:
    name = f"shadowops_dagtest_{secrets.token_hex(4)}"
    _create_from_template(name, production_database())
    try:
        apply_migrations(name)
        grant_pipeline_access(name, role)
    except Exception:
        drop_clone(name)
        raise
    return name


def drop_clone(name: str) -> None:
    # FORCE ends sessions a failed task may have left behind (PostgreSQL 13+).
    execute(
        sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
    )


def connection_uri(dbname: str, role: WarehouseRole) -> str:
    """The Airflow connection, in the URI form AIRFLOW_CONN_* variables take."""
    settings = admin_settings()
    return (
        f"postgres://{role.name}:{role.password}@{settings['host']}:{settings['port']}"
        f"/{dbname}"
    )
