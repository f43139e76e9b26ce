# Expectations come from the warehouse's own exact NUMERIC arithmetic over the fixture.
EXPECTED_DAILY_REVENUE_SQL <- "
SELECT TO_CHAR(o.ordered_at, 'YYYY-MM-DD') AS order_date, c.region,
       COUNT(DISTINCT o.order_id) AS orders, SUM(oi.quantity) AS items,
       SUM(oi.quantity * oi.unit_price) AS gross_revenue,
       ROUND(SUM(oi.quantity * oi.unit_price * (1 - oi.discount)), 2) AS net_revenue
FROM orders o
JOIN customers c ON c.customer_id = o.customer_id
JOIN order_items oi ON oi.order_id = o.order_id
WHERE o.status = 'completed'
GROUP BY 1, 2 ORDER BY 1, 2"

WRITTEN_DAILY_REVENUE_SQL <- "
SELECT TO_CHAR(order_date, 'YYYY-MM-DD') AS order_date, region, orders, items,
       gross_revenue, net_revenue, avg_basket,
       TO_CHAR(computed_at, 'YYYY-MM-DD HH24:MI:SS') AS computed_at
FROM analytics.daily_revenue ORDER BY 1, 2"

test_that("daily revenue per day and region matches the warehouse's own arithmetic", {
  con <- local_warehouse()
  load_fixture(con)
  daily <- compute_daily_revenue(read_daily_revenue_lines(con), "2025-02-01 00:00:00")
  expected <- warehouse_query(con, EXPECTED_DAILY_REVENUE_SQL)

  expect_equal(daily[c("order_date", "region")], expected[c("order_date", "region")])
  for (column in c("orders", "items", "gross_revenue", "net_revenue")) {
    expect_equal(daily[[column]], as.numeric(expected[[column]]), info = column)
  }
  expected_basket <- warehouse_query(con, paste(
    "SELECT ROUND(net_revenue / orders, 2) AS avg_basket FROM (",
    EXPECTED_DAILY_REVENUE_SQL, ") e"))$avg_basket
  expect_equal(daily$avg_basket, expected_basket)
})

test_that("an order one second before midnight counts on its own day", {
  sources <- fixture_sources()
  con <- local_warehouse()
  load_fixture(con, sources)
  late <- sources$orders[sources$orders$ordered_at == "2025-01-01 23:59:59", ]
  region <- sources$customers$region[sources$customers$customer_id == late$customer_id]
  same_day <- merge(sources$orders[startsWith(sources$orders$ordered_at, "2025-01-01") &
                                     sources$orders$status == "completed", ],
                    sources$customers[sources$customers$region == region, ], by = "customer_id")
  same_day <- same_day[same_day$order_id %in% sources$order_items$order_id, ]

  daily <- compute_daily_revenue(read_daily_revenue_lines(con), "2025-02-01 00:00:00")
  expect_equal(daily$orders[daily$order_date == "2025-01-01" & daily$region == region],
               nrow(same_day))
})

test_that("writing replaces the table and keeps every value", {
  con <- local_warehouse()
  load_fixture(con)
  daily <- compute_daily_revenue(read_daily_revenue_lines(con), "2025-02-01 00:00:00")
  replace_table_contents(con, "analytics.daily_revenue", daily)
  replace_table_contents(con, "analytics.daily_revenue", daily)
  expect_equal(warehouse_query(con, WRITTEN_DAILY_REVENUE_SQL), daily, ignore_attr = TRUE)
})

test_that("no completed orders gives an empty result, not an error", {
  con <- local_warehouse()
  sources <- fixture_sources()
  sources$orders$status <- "cancelled"
  load_fixture(con, sources)
  expect_equal(nrow(compute_daily_revenue(read_daily_revenue_lines(con), "2025-02-01")), 0)
})
