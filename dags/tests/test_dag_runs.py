"""warehouse_metrics end to end: real Airflow (`airflow dags test`), real R, and a
fresh clone of production per test, reached through the shadow_warehouse connection.

`airflow dags test` runs the tasks one after another in its own process and prints
their logs on stdout. In Airflow 3.3 a failed run makes it exit with status 1 (and
print "DagRun failed" on stderr); the tests rely on the exit status and on the states
in the metadata database, not on the wording.
"""

from __future__ import annotations

import warehouse_clone
from airflow_cli import DagTestOutcome, dags_test, rendered_fields

DAG_ID = "warehouse_metrics"
TASK_IDS = (
    "check_sources",
    "compute_daily_revenue",
    "compute_customer_value",
    "validate_outputs",
)

# Expectations straight from the sources, in the warehouse's exact NUMERIC arithmetic.
EXPECTED_DAILY_REVENUE = """
    SELECT o.ordered_at::date AS order_date, c.region,
           COUNT(DISTINCT o.order_id) AS orders, SUM(oi.quantity) AS items,
           SUM(oi.quantity * oi.unit_price) AS gross_revenue,
           ROUND(SUM(oi.quantity * oi.unit_price * (1 - oi.discount)), 2) AS net_revenue
    FROM orders o
    JOIN customers c ON c.customer_id = o.customer_id
    JOIN order_items oi ON oi.order_id = o.order_id
    WHERE o.status = 'completed'
    GROUP BY 1, 2"""

EXPECTED_CUSTOMER_VALUE = """
    SELECT o.customer_id, c.segment, COUNT(DISTINCT o.order_id) AS orders,
           ROUND(SUM(oi.quantity * oi.unit_price * (1 - oi.discount)), 2) AS net_revenue,
           MIN(o.ordered_at) AS first_order_at, MAX(o.ordered_at) AS last_order_at
    FROM orders o
    JOIN customers c ON c.customer_id = o.customer_id
    JOIN order_items oi ON oi.order_id = o.order_id
    WHERE o.status = 'completed'
    GROUP BY 1, 2"""


def run_dag(metadata_db, dbname, role) -> DagTestOutcome:
    return dags_test(
        metadata_db,
        DAG_ID,
        env={
            "AIRFLOW_CONN_SHADOW_WAREHOUSE": warehouse_clone.connection_uri(
                dbname, role
            ),
            # A failure should end the run now, not after a retry delay.
            "SHADOWOPS_TASK_RETRIES": "0",
        },
    )


def count(dbname, statement) -> int:
    return warehouse_clone.execute(statement, dbname=dbname)[0][0]


def assert_password_not_exposed(outcome, metadata_db, role):
    # The PG* env carries the password into each task; Airflow must mask it everywhere.
    for where, text in (
        ("stdout", outcome.process.stdout),
        ("stderr", outcome.process.stderr),
        ("rendered fields", rendered_fields(metadata_db, DAG_ID)),
    ):
        assert role.password not in text, f"password visible in {where}"


def test_run_succeeds_and_writes_what_the_sources_say(
    airflow_metadata_db, shadow_warehouse, warehouse_role
):
    outcome = run_dag(airflow_metadata_db, shadow_warehouse, warehouse_role)

    assert outcome.process.returncode == 0, outcome.output_tail()
    assert outcome.run_state == "success"
    assert outcome.task_states == dict.fromkeys(TASK_IDS, "success")
    assert_password_not_exposed(outcome, airflow_metadata_db, warehouse_role)

    # Every row as the sources dictate, and no row more or less (full join).
    assert count(shadow_warehouse, "SELECT COUNT(*) FROM analytics.daily_revenue") > 0
    assert (
        count(
            shadow_warehouse,
            f"""
        SELECT COUNT(*) FROM ({EXPECTED_DAILY_REVENUE}) e
        FULL JOIN analytics.daily_revenue w USING (order_date, region)
        WHERE (e.orders, e.items, e.gross_revenue, e.net_revenue)
              IS DISTINCT FROM (w.orders, w.items, w.gross_revenue, w.net_revenue)
           OR w.avg_basket IS DISTINCT FROM ROUND(e.net_revenue / e.orders, 2)
        """,
        )
        == 0
    )
    assert count(shadow_warehouse, "SELECT COUNT(*) FROM analytics.customer_value") > 0
    assert (
        count(
            shadow_warehouse,
            f"""
        SELECT COUNT(*) FROM ({EXPECTED_CUSTOMER_VALUE}) e
        FULL JOIN analytics.customer_value w USING (customer_id)
        WHERE (e.segment, e.orders, e.net_revenue, e.first_order_at, e.last_order_at)
              IS DISTINCT FROM
              (w.segment, w.orders, w.net_revenue, w.first_order_at, w.last_order_at)
        """,
        )
        == 0
    )


def test_broken_data_fails_validate_outputs_and_names_the_check(
    airflow_metadata_db, shadow_warehouse, warehouse_role
):
    # A bad upstream load: the first day's quantities arrive negated.
    warehouse_clone.execute(
        """UPDATE order_items SET quantity = -quantity WHERE order_id IN (
               SELECT order_id FROM orders
               WHERE ordered_at::date = (SELECT MIN(ordered_at)::date FROM orders))""",
        dbname=shadow_warehouse,
    )
    negative_rows = count(
        shadow_warehouse,
        f"""
        SELECT COUNT(*) FROM ({EXPECTED_DAILY_REVENUE}) e
        WHERE gross_revenue < 0 OR net_revenue < 0""",
    )
    assert negative_rows > 0

    outcome = run_dag(airflow_metadata_db, shadow_warehouse, warehouse_role)

    assert outcome.process.returncode != 0, outcome.output_tail()
    assert outcome.run_state == "failed"
    assert outcome.task_states == {
        **dict.fromkeys(TASK_IDS, "success"),
        "validate_outputs": "failed",
    }
    # The task's own log line, which the PR check quotes as the log tail.
    assert (
        f"validation failed: daily_revenue_non_negative ({negative_rows} rows with"
        in outcome.process.stdout
    ), outcome.output_tail()
    assert_password_not_exposed(outcome, airflow_metadata_db, warehouse_role)
