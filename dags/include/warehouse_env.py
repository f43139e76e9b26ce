"""libpq environment variables for tasks, filled from an Airflow connection.

The R scripts read only PGHOST, PGPORT, PGDATABASE, PGUSER, PGPASSWORD, PGSSLMODE and
PGSSLROOTCERT, so the same scripts run against the local PostgreSQL and against Redshift.
Values are Jinja templates: the connection is looked up when a task runs, never while the
DAG file is parsed, so parsing needs neither the connection nor its secrets.
"""

from __future__ import annotations


def warehouse_env(conn_id: str) -> dict[str, str]:
    conn = f"conn.{conn_id}"
    return {
        "PGHOST": f"{{{{ {conn}.host }}}}",
        # libpq's own default when the connection URI names no port.
        "PGPORT": f"{{{{ {conn}.port or 5432 }}}}",
        # An Airflow connection keeps the database name in `schema`.
        "PGDATABASE": f"{{{{ {conn}.schema }}}}",
        "PGUSER": f"{{{{ {conn}.login }}}}",
        "PGPASSWORD": f"{{{{ {conn}.password }}}}",
        # A shadow host's Redshift connection carries ?sslmode=verify-full; libpq rejects an
        # empty value, so the absence of the extra falls back to libpq's default.
        "PGSSLMODE": f"{{{{ {conn}.extra_dejson.get('sslmode', 'prefer') }}}}",
        # The CA file that verify-full checks the server's certificate against. Empty is
        # libpq's default (~/.postgresql/root.crt), as if the variable were not set.
        "PGSSLROOTCERT": f"{{{{ {conn}.extra_dejson.get('sslrootcert', '') }}}}",
    }
