local_scratch_table <- function(con, env = parent.frame()) {
  DBI::dbExecute(con, "CREATE TABLE replace_target (
    id BIGINT NOT NULL, label VARCHAR(40), amount DECIMAL(14,2), flag BOOLEAN)")
  withr::defer(DBI::dbExecute(con, "DROP TABLE replace_target"), envir = env)
  "replace_target"
}

read_target <- function(con) {
  warehouse_query(con, "SELECT id, label, amount, flag FROM replace_target ORDER BY id")
}

test_that("literals survive the round trip: quotes, NULLs, large ids, cents", {
  con <- local_warehouse()
  table <- local_scratch_table(con)
  rows <- data.frame(id = c(1, 100000, 123456789012), label = c("O'Hara", NA, "a\\b"),
                     amount = c(0.1 + 0.2, NA, 1234567.89), flag = c(TRUE, FALSE, NA),
                     stringsAsFactors = FALSE)
  expect_equal(replace_table_contents(con, table, rows), 3)
  expect_equal(read_target(con), rows)
})

test_that("old contents are replaced, in batches larger than one statement", {
  con <- local_warehouse()
  table <- local_scratch_table(con)
  replace_table_contents(con, table, data.frame(id = -1, label = "old", amount = 1, flag = TRUE))
  n <- 2 * INSERT_BATCH_ROWS + 1
  rows <- data.frame(id = seq_len(n), label = "new", amount = seq_len(n) / 100, flag = TRUE,
                     stringsAsFactors = FALSE)
  replace_table_contents(con, table, rows)
  expect_equal(read_target(con), rows)
})

test_that("a failing write leaves the previous contents in place", {
  con <- local_warehouse()
  table <- local_scratch_table(con)
  before <- data.frame(id = 1, label = "kept", amount = 1, flag = TRUE, stringsAsFactors = FALSE)
  replace_table_contents(con, table, before)
  n <- INSERT_BATCH_ROWS + 1
  # The NULL id in the second batch violates NOT NULL after the first batch went in.
  broken <- data.frame(id = c(seq_len(n - 1), NA), label = "x", amount = 0, flag = FALSE)
  expect_error(replace_table_contents(con, table, broken))
  expect_equal(read_target(con), before)
})

test_that("an empty data frame empties the table", {
  con <- local_warehouse()
  table <- local_scratch_table(con)
  replace_table_contents(con, table, data.frame(id = 1, label = "x", amount = 1, flag = TRUE))
  expect_equal(replace_table_contents(con, table, read_target(con)[0, ]), 0)
  expect_equal(nrow(read_target(con)), 0)
})
