"""The Airflow CLI and metadata database as the DAG run tests see them."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path


def airflow_cli(
    *args: str, env: dict[str, str] | None = None, check: bool = True
) -> subprocess.CompletedProcess[str]:
    """Runs the `airflow` CLI of this interpreter's environment (AIRFLOW_HOME and the
    rest come from os.environ, set up by conftest)."""
    return subprocess.run(
        [sys.executable, "-m", "airflow", *args],
        env={**os.environ, **(env or {})},
        check=check,
        capture_output=True,
        text=True,
        timeout=600,
    )


@dataclass(frozen=True)
class DagTestOutcome:
    process: subprocess.CompletedProcess[str]
    run_state: str
    task_states: dict[str, str]

    def output_tail(self, chars: int = 5000) -> str:
        return self.process.stdout[-chars:] + self.process.stderr[-chars:]


def dags_test(metadata_db: Path, dag_id: str, env: dict[str, str]) -> DagTestOutcome:
    """`airflow dags test` once, with the run's states read back from the metadata
    database (SQLite here): one look-up instead of two more ten-second CLI starts."""
    runs_before = _run_states(metadata_db, dag_id)
    process = airflow_cli("dags", "test", dag_id, env=env, check=False)
    new_runs = _run_states(metadata_db, dag_id).items() - runs_before.items()
    assert len(new_runs) == 1, process.stdout[-3000:] + process.stderr[-3000:]
    ((run_id, run_state),) = new_runs
    return DagTestOutcome(process, run_state, _task_states(metadata_db, dag_id, run_id))


def _run_states(metadata_db: Path, dag_id: str) -> dict[str, str]:
    with sqlite3.connect(metadata_db) as db:
        return dict(
            db.execute("SELECT run_id, state FROM dag_run WHERE dag_id = ?", (dag_id,))
        )


def _task_states(metadata_db: Path, dag_id: str, run_id: str) -> dict[str, str]:
    with sqlite3.connect(metadata_db) as db:
        return dict(
            db.execute(
                "SELECT task_id, state FROM task_instance"
                " WHERE dag_id = ? AND run_id = ?",
                (dag_id, run_id),
            )
        )


def rendered_fields(metadata_db: Path, dag_id: str) -> str:
    """Everything Airflow stored of the rendered templates; its UI shows these."""
    with sqlite3.connect(metadata_db) as db:
        return "\n".join(
            row[0]
            for row in db.execute(
                "SELECT rendered_fields FROM rendered_task_instance_fields"
                " WHERE dag_id = ?",
                (dag_id,),
            )
        )
