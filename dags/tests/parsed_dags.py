"""The dags/ folder parsed once per test run, as the dag-processor parses it."""

from __future__ import annotations

import os
from pathlib import Path
from unittest import mock

from airflow.dag_processing.dagbag import BundleDagBag

DAGS_DIR = Path(__file__).resolve().parents[1]
# Overrides a developer or CI may have set must not change what the tests check.
ENV_OVERRIDES = (
    "AIRFLOW_CONN_SHADOW_WAREHOUSE",
    "SHADOWOPS_TASK_RETRIES",
    "SHADOWOPS_R_DIR",
)


def _connection_lookup_at_parse_time(*args, **kwargs):
    raise AssertionError("a DAG looked up a connection while being parsed")


def load_dag_bag(
    dag_folder: Path = DAGS_DIR, cleared_env: tuple[str, ...] = ENV_OVERRIDES
) -> BundleDagBag:
    """Parses with no connection to find and any parse-time look-up failing loudly:
    parsing must never need the warehouse secrets."""
    with (
        mock.patch.dict(os.environ),
        mock.patch(
            "airflow.sdk.definitions.connection.Connection.get",
            side_effect=_connection_lookup_at_parse_time,
        ),
    ):
        for name in cleared_env:
            os.environ.pop(name, None)
        return BundleDagBag(
            dag_folder=dag_folder, bundle_path=DAGS_DIR, bundle_name="dags-folder"
        )


DAG_BAG = load_dag_bag()
