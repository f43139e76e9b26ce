EXPECTED_CUSTOMER_VALUE_SQL <- "
SELECT o.customer_id, c.segment, COUNT(DISTINCT o.order_id) AS orders,
       ROUND(SUM(oi.quantity * oi.unit_price * (1 - oi.discount)), 2) AS net_revenue,
       TO_CHAR(MIN(o.ordered_at), 'YYYY-MM-DD HH24:MI:SS') AS first_order_at,
       TO_CHAR(MAX(o.ordered_at), 'YYYY-MM-DD HH24:MI:SS') AS last_order_at
FROM orders o
JOIN customers c ON c.customer_id = o.customer_id
JOIN order_items oi ON oi.order_id = o.order_id
WHERE o.status = 'completed'
GROUP BY 1, 2 ORDER BY 1"

test_that("customer value matches the warehouse's own arithmetic", {
  con <- local_warehouse()
  load_fixture(con)
  customers <- compute_customer_value(read_customer_value_lines(con), "2025-02-01 00:00:00")
  expected <- warehouse_query(con, EXPECTED_CUSTOMER_VALUE_SQL)

  expect_equal(customers$customer_id, expected$customer_id)
  for (column in c("segment", "orders", "net_revenue", "first_order_at", "last_order_at")) {
    expect_equal(customers[[column]], expected[[column]], info = column, ignore_attr = TRUE)
  }
})

test_that("customers without completed orders are left out", {
  sources <- fixture_sources()
  con <- local_warehouse()
  load_fixture(con, sources)
  customers <- compute_customer_value(read_customer_value_lines(con), "2025-02-01 00:00:00")
  completed <- sources$orders$customer_id[sources$orders$status == "completed"]
  expect_setequal(customers$customer_id, unique(completed))
})

test_that("value bands start at their lower bounds", {
  bounds <- VALUE_BAND_LOWER_BOUNDS[is.finite(VALUE_BAND_LOWER_BOUNDS)]
  expect_equal(value_band(bounds), names(bounds))
  expect_equal(value_band(bounds - 0.01), names(VALUE_BAND_LOWER_BOUNDS)[seq_along(bounds)])
  # Refunds can make a customer negative: still a band, the validation flags it.
  expect_equal(value_band(-10), names(VALUE_BAND_LOWER_BOUNDS)[[1]])
})

test_that("written rows keep ids, timestamps and bands", {
  con <- local_warehouse()
  load_fixture(con)
  customers <- compute_customer_value(read_customer_value_lines(con), "2025-02-01 00:00:00")
  replace_table_contents(con, "analytics.customer_value", customers)
  written <- warehouse_query(con, "
    SELECT customer_id, segment, orders, net_revenue,
           TO_CHAR(first_order_at, 'YYYY-MM-DD HH24:MI:SS') AS first_order_at,
           TO_CHAR(last_order_at, 'YYYY-MM-DD HH24:MI:SS') AS last_order_at,
           value_band, TO_CHAR(computed_at, 'YYYY-MM-DD HH24:MI:SS') AS computed_at
    FROM analytics.customer_value ORDER BY customer_id")
  expect_equal(written, customers, ignore_attr = TRUE)
})
