test_that("source tables are counted", {
  sources <- fixture_sources()
  con <- local_warehouse()
  load_fixture(con, sources)
  counts <- count_source_rows(con)
  expect_equal(counts[["orders"]], nrow(sources$orders))
  expect_equal(counts[["order_items"]], nrow(sources$order_items))
  expect_equal(source_table_problems(counts), character(0))
})

test_that("a missing table counts as NA and an empty one as 0", {
  con <- local_warehouse()
  load_fixture(con)
  DBI::dbExecute(con, "DELETE FROM analytics.customer_value")
  counts <- count_source_rows(con, c("orders", "no_such_table", "analytics.customer_value"))
  expect_true(is.na(counts[["no_such_table"]]))
  expect_equal(source_table_problems(counts),
               c("missing: no_such_table", "empty: analytics.customer_value"))
})
