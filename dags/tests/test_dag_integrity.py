"""Every DAG in dags/ parses without secrets and follows the repo's conventions."""

from __future__ import annotations

import pytest
from parsed_dags import DAG_BAG


def test_no_import_errors():
    assert DAG_BAG.import_errors == {}


def test_dags_found():
    assert "warehouse_metrics" in DAG_BAG.dag_ids


@pytest.fixture(params=sorted(DAG_BAG.dag_ids))
def dag(request):
    return DAG_BAG.dags[request.param]


def test_dag_is_tagged(dag):
    assert dag.tags, f"{dag.dag_id} has no tags"


def test_dag_is_documented(dag):
    assert dag.doc_md and dag.doc_md.strip(), f"{dag.dag_id} has no doc_md"


def test_every_task_retries(dag):
    no_retries = [
        task.task_id for task in dag.tasks if not task.retries or task.retries < 1
    ]
    assert no_retries == [], f"{dag.dag_id}: tasks without retries: {no_retries}"


def test_no_catchup_and_one_run_at_a_time(dag):
    assert dag.catchup is False
    assert dag.max_active_runs == 1


def test_bash_commands_are_not_template_file_names(dag):
    # BashOperator loads a command ending in .sh or .bash as a Jinja template file.
    for task in dag.tasks:
        command = getattr(task, "bash_command", None)
        if isinstance(command, str):
            assert not command.rstrip().endswith((".sh", ".bash")), task.task_id
