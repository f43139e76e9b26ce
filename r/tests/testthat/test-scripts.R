# The task scripts as Airflow runs them: a separate Rscript process, configured only
# through the environment, reporting failure through its exit status.

run_script <- function(name) {
  output <- suppressWarnings(system2(file.path(R.home("bin"), "Rscript"),
                                     file.path(REPO_ROOT, "r", paste0(name, ".R")),
                                     stdout = TRUE, stderr = TRUE))
  list(status = if (is.null(attr(output, "status"))) 0 else attr(output, "status"),
       output = paste(output, collapse = "\n"))
}

test_that("the four scripts run in DAG order and pass on good data", {
  con <- local_warehouse()
  load_fixture(con)
  for (name in c("check_sources", "compute_daily_revenue", "compute_customer_value",
                 "validate_outputs")) {
    run <- run_script(name)
    expect_equal(run$status, 0, info = paste(name, run$output))
  }
  expect_match(run$output, "PASS daily_revenue_non_negative")
})

test_that("validate_outputs exits non-zero naming the failed check", {
  con <- local_warehouse()
  sources <- fixture_sources()
  sources$order_items$quantity <- -sources$order_items$quantity
  load_fixture(con, sources)
  expect_equal(run_script("compute_daily_revenue")$status, 0)
  expect_equal(run_script("compute_customer_value")$status, 0)
  run <- run_script("validate_outputs")
  expect_false(run$status == 0)
  expect_match(run$output, "validation failed: .*daily_revenue_non_negative \\(\\d+ rows with")
})

test_that("check_sources fails on an empty source table", {
  con <- local_warehouse()
  load_fixture(con)
  DBI::dbExecute(con, "DELETE FROM order_items")
  run <- run_script("check_sources")
  expect_false(run$status == 0)
  expect_match(run$output, "empty: order_items")
})

test_that("a script without warehouse settings says which one is missing", {
  withr::local_envvar(PGHOST = NA)
  run <- run_script("check_sources")
  expect_false(run$status == 0)
  expect_match(run$output, "PGHOST")
})
