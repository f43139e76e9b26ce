# Writes both result tables from the current sources, as the two compute tasks do.
compute_outputs <- function(con) {
  replace_table_contents(con, "analytics.daily_revenue",
                         compute_daily_revenue(read_daily_revenue_lines(con), computed_at_now()))
  replace_table_contents(con, "analytics.customer_value",
                         compute_customer_value(read_customer_value_lines(con), computed_at_now()))
}

run_all_checks <- function(con) {
  results <- lapply(validation_checks(), function(check) run_check(con, check))
  setNames(results, vapply(results, `[[`, character(1), "name"))
}

failed_names <- function(results) {
  names(Filter(function(result) !result$passed, results))
}

test_that("correct outputs pass every check", {
  con <- local_warehouse()
  load_fixture(con)
  compute_outputs(con)
  results <- run_all_checks(con)
  expect_equal(failed_names(results), character(0))
  expect_null(validation_failure_message(results))
})

test_that("every check has a unique name prefixed with its table", {
  names <- vapply(validation_checks(), `[[`, character(1), "name")
  expect_false(anyDuplicated(names) > 0)
  expect_true(all(grepl("^(daily_revenue|customer_value)_[a-z_]+$", names)))
})

test_that("negative revenue fails the non-negative check with the row count", {
  con <- local_warehouse()
  load_fixture(con)
  compute_outputs(con)
  DBI::dbExecute(con, "UPDATE analytics.daily_revenue SET net_revenue = -net_revenue
                       WHERE region = 'north'")
  broken <- warehouse_query(con, "SELECT COUNT(*) AS n FROM analytics.daily_revenue
                                  WHERE net_revenue < 0")$n
  results <- run_all_checks(con)
  expect_false(results$daily_revenue_non_negative$passed)
  expect_match(results$daily_revenue_non_negative$detail, paste0("^", broken, " rows with"))
})

test_that("the failure message names every failed check", {
  con <- local_warehouse()
  load_fixture(con)
  compute_outputs(con)
  DBI::dbExecute(con, "UPDATE analytics.customer_value SET value_band = 'platinum'")
  DBI::dbExecute(con, "DELETE FROM analytics.daily_revenue WHERE region = 'north'")
  results <- run_all_checks(con)
  failed <- failed_names(results)
  expect_true(all(c("customer_value_band_allowed", "daily_revenue_orders_match_sources",
                    "daily_revenue_items_match_sources") %in% failed))
  message <- validation_failure_message(results)
  expect_match(message, "^validation failed: ")
  for (name in failed) expect_match(message, paste0(name, " ("), fixed = TRUE)
})

test_that("a check whose query fails is a failed check, and the others still run", {
  con <- local_warehouse()
  load_fixture(con)
  compute_outputs(con)
  checks <- c(list(list(name = "daily_revenue_broken_query",
                        sql = "SELECT no_such_column FROM analytics.daily_revenue",
                        passed = function(result) TRUE, detail = function(result) "")),
              validation_checks())
  results <- lapply(checks, function(check) run_check(con, check))
  expect_false(results[[1]]$passed)
  expect_match(results[[1]]$detail, "query failed")
  expect_true(all(vapply(results[-1], `[[`, logical(1), "passed")))
})

test_that("check results print as one line each", {
  expect_equal(format_check_result(list(name = "a_check", passed = TRUE, detail = "")),
               "PASS a_check")
  expect_equal(format_check_result(list(name = "a_check", passed = FALSE, detail = "why")),
               "FAIL a_check (why)")
})
