"""Tasks that run one R script of the repo's r/ folder."""

from __future__ import annotations

import os
import shlex
from pathlib import Path

from airflow.providers.standard.operators.bash import BashOperator

from include.warehouse_env import warehouse_env

# dags/ and r/ sit side by side in the repo; a shadow node may install them elsewhere.
DEFAULT_R_DIR = Path(__file__).resolve().parents[2] / "r"


def r_dir() -> Path:
    return Path(os.environ.get("SHADOWOPS_R_DIR") or DEFAULT_R_DIR)


def rscript_command(script: str) -> str:
    # Ends in ".R", never ".sh"/".bash": BashOperator would take those for a template
    # file to load. Quoted, so an install path with spaces stays one argument.
    return f"Rscript {shlex.quote(str(r_dir() / f'{script}.R'))}"


def rscript_task(script: str, conn_id: str) -> BashOperator:
    """A task named after the script, pointed at the warehouse of `conn_id`."""
    return BashOperator(
        task_id=script,
        bash_command=rscript_command(script),
        env=warehouse_env(conn_id),
        # Keep PATH, HOME and locale of the worker; the PG* variables are added on top.
        append_env=True,
    )
