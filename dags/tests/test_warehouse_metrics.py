"""The shape of the warehouse_metrics DAG: order, scripts and warehouse settings."""

from __future__ import annotations

import shlex
from pathlib import Path

import pytest
from parsed_dags import DAG_BAG, DAGS_DIR, load_dag_bag

REPO_ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def dag():
    return DAG_BAG.dags["warehouse_metrics"]


def test_tasks_run_in_pipeline_order(dag):
    downstream = {task.task_id: set(task.downstream_task_ids) for task in dag.tasks}
    assert downstream == {
        "check_sources": {"compute_daily_revenue", "compute_customer_value"},
        "compute_daily_revenue": {"validate_outputs"},
        "compute_customer_value": {"validate_outputs"},
        "validate_outputs": set(),
    }


def test_each_task_runs_its_own_r_script_from_the_repo(dag):
    for task in dag.tasks:
        program, script = shlex.split(task.bash_command)
        assert program == "Rscript"
        assert Path(script) == REPO_ROOT / "r" / f"{task.task_id}.R"
        assert Path(script).is_file()


def test_warehouse_settings_come_from_the_connection_at_run_time(dag):
    for task in dag.tasks:
        assert task.append_env is True
        assert set(task.env) == {
            "PGHOST",
            "PGPORT",
            "PGDATABASE",
            "PGUSER",
            "PGPASSWORD",
            "PGSSLMODE",
            "PGSSLROOTCERT",
        }
        for value in task.env.values():
            assert "conn.shadow_warehouse." in value and value.startswith("{{"), value


def test_r_dir_and_retries_can_be_overridden(monkeypatch, tmp_path):
    # Read when the DAG file is parsed, so a fresh parse sees the environment.
    monkeypatch.setenv("SHADOWOPS_R_DIR", str(tmp_path / "r scripts"))
    monkeypatch.setenv("SHADOWOPS_TASK_RETRIES", "0")
    bag = load_dag_bag(DAGS_DIR / "warehouse_metrics.py", cleared_env=())
    task = bag.dags["warehouse_metrics"].get_task("check_sources")
    expected_script = tmp_path / "r scripts" / "check_sources.R"
    assert shlex.split(task.bash_command) == ["Rscript", str(expected_script)]
    assert task.retries == 0
