"""Test settings shared by the DAG tests.

Airflow reads AIRFLOW_HOME and its configuration when first imported, so they are set
here, before any test module imports it: every run gets its own throw-away Airflow
home (never the developer's ~/airflow), shared by the parse tests and the DAG runs.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path

import pytest
import warehouse_clone
from airflow_cli import airflow_cli

DAGS_DIR = Path(__file__).resolve().parents[1]

AIRFLOW_HOME = Path(tempfile.mkdtemp(prefix="shadowops-airflow-"))
os.environ.update(
    {
        "AIRFLOW_HOME": str(AIRFLOW_HOME),
        "AIRFLOW__CORE__DAGS_FOLDER": str(DAGS_DIR),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
    }
)
# The dag-processor puts the DAG folder on sys.path, which is how `include` imports.
if str(DAGS_DIR) not in sys.path:
    sys.path.append(str(DAGS_DIR))


def pytest_sessionfinish(session, exitstatus):
    shutil.rmtree(AIRFLOW_HOME, ignore_errors=True)


@pytest.fixture(scope="session")
def airflow_metadata_db() -> Path:
    """The Airflow home with its (SQLite) metadata database migrated, once per run."""
    result = airflow_cli("db", "migrate", check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    return AIRFLOW_HOME / "airflow.db"


@pytest.fixture(scope="session")
def warehouse_role():
    role = warehouse_clone.create_role()
    yield role
    warehouse_clone.drop_role(role)


@pytest.fixture
def shadow_warehouse(warehouse_role):
    """A fresh, migrated clone of production; yields its database name."""
    name = warehouse_clone.create_clone(warehouse_role)
    yield name
    warehouse_clone.drop_clone(name)
