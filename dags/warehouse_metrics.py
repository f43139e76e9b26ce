"""
### Warehouse metrics

Reads the order tables of the warehouse, rebuilds two analytics tables and validates
them. Every task runs one R script from the repo's `r/` folder (`SHADOWOPS_R_DIR`
overrides where that is) against the Airflow connection `shadow_warehouse`:
PostgreSQL locally, Amazon Redshift in an AWS shadow.

- `check_sources`: the source tables exist and hold rows.
- `compute_daily_revenue`: `analytics.daily_revenue`, per order day and customer region.
- `compute_customer_value`: `analytics.customer_value`, per customer, with a value band.
- `validate_outputs`: named checks on both tables; the task fails naming every failed check.
"""

from __future__ import annotations

import os
from datetime import timedelta

import pendulum
from airflow.sdk import DAG
from include.r_tasks import rscript_task

WAREHOUSE_CONN_ID = "shadow_warehouse"

default_args = {
    # Tests set SHADOWOPS_TASK_RETRIES=0 so a deliberate failure ends the run at once.
    "retries": int(os.environ.get("SHADOWOPS_TASK_RETRIES", "1")),
    "retry_delay": timedelta(seconds=30),
    "execution_timeout": timedelta(minutes=30),
}

with DAG(
    dag_id="warehouse_metrics",
    doc_md=__doc__,
    schedule=None,
    start_date=pendulum.datetime(2025, 1, 1, tz="UTC"),
    catchup=False,
    max_active_runs=1,
    default_args=default_args,
    tags=["shadowops", "warehouse"],
):
    check_sources = rscript_task("check_sources", WAREHOUSE_CONN_ID)
    compute_daily_revenue = rscript_task("compute_daily_revenue", WAREHOUSE_CONN_ID)
    compute_customer_value = rscript_task("compute_customer_value", WAREHOUSE_CONN_ID)
    validate_outputs = rscript_task("validate_outputs", WAREHOUSE_CONN_ID)

    check_sources >> [compute_daily_revenue, compute_customer_value] >> validate_outputs
