# Named checks on the tables the DAG writes. Each check runs one query and yields
# list(name, passed, detail); a check whose query fails is itself a failed check, so
# one broken check (say, after a schema change) never hides the others.

COMPLETED_ORDER_LINES_SQL <- "
FROM orders o JOIN order_items oi ON oi.order_id = o.order_id
WHERE o.status = 'completed'"

# Fails when any row of `table` matches `condition`.
rows_check <- function(name, table, condition, description) {
  list(name = name,
       sql = paste("SELECT COUNT(*) AS n FROM", table, "WHERE", condition),
       passed = function(result) result$n == 0,
       detail = function(result) paste(format_count(result$n), "rows with", description))
}

not_empty_check <- function(name, table) {
  list(name = name,
       sql = paste("SELECT COUNT(*) AS n FROM", table),
       passed = function(result) result$n > 0,
       detail = function(result) paste(table, "is empty"))
}

# Fails when two totals differ; `sql` returns columns `written` and `expected`.
totals_check <- function(name, sql, what) {
  list(name = name,
       sql = sql,
       passed = function(result) isTRUE(all.equal(result$written, result$expected)),
       detail = function(result) {
         paste0(what, ": ", format_count(result$written), " written, ",
                format_count(result$expected), " expected")
       })
}

format_count <- function(n) {
  format(n, big.mark = ",", scientific = FALSE)
}

no_nulls_condition <- function(columns) {
  paste(columns, "IS NULL", collapse = " OR ")
}

validation_checks <- function() {
  daily <- "analytics.daily_revenue"
  customers <- "analytics.customer_value"
  allowed_bands <- paste0("'", names(VALUE_BAND_LOWER_BOUNDS), "'", collapse = ", ")
  list(
    not_empty_check("daily_revenue_not_empty", daily),
    rows_check("daily_revenue_no_nulls", daily,
               no_nulls_condition(c("order_date", "region", "orders", "items",
                                    "gross_revenue", "net_revenue", "avg_basket")),
               "a NULL key or measure"),
    rows_check("daily_revenue_non_negative", daily,
               "gross_revenue < 0 OR net_revenue < 0", "gross_revenue or net_revenue < 0"),
    rows_check("daily_revenue_net_within_gross", daily,
               "net_revenue > gross_revenue", "net_revenue > gross_revenue"),
    rows_check("daily_revenue_avg_basket_positive", daily,
               "avg_basket <= 0", "avg_basket <= 0"),
    totals_check("daily_revenue_orders_match_sources", paste0(
      "SELECT (SELECT SUM(orders) FROM ", daily, ") AS written,",
      " (SELECT COUNT(DISTINCT o.order_id) ", COMPLETED_ORDER_LINES_SQL, ") AS expected"),
      "completed orders"),
    totals_check("daily_revenue_items_match_sources", paste0(
      "SELECT (SELECT SUM(items) FROM ", daily, ") AS written,",
      " (SELECT SUM(oi.quantity) ", COMPLETED_ORDER_LINES_SQL, ") AS expected"),
      "items sold"),
    not_empty_check("customer_value_not_empty", customers),
    rows_check("customer_value_no_nulls", customers,
               no_nulls_condition(c("customer_id", "segment", "orders", "net_revenue",
                                    "first_order_at", "last_order_at", "value_band")),
               "a NULL key or measure"),
    rows_check("customer_value_non_negative", customers,
               "net_revenue < 0", "net_revenue < 0"),
    rows_check("customer_value_band_allowed", customers,
               paste0("value_band NOT IN (", allowed_bands, ")"),
               paste0("value_band not in (", allowed_bands, ")")),
    rows_check("customer_value_order_dates_ordered", customers,
               "first_order_at > last_order_at", "first_order_at > last_order_at"),
    totals_check("customer_value_customers_match_sources", paste0(
      "SELECT (SELECT COUNT(*) FROM ", customers, ") AS written,",
      " (SELECT COUNT(DISTINCT o.customer_id) ", COMPLETED_ORDER_LINES_SQL, ") AS expected"),
      "customers with completed orders"),
    totals_check("customer_value_orders_match_daily_revenue", paste0(
      "SELECT (SELECT SUM(orders) FROM ", customers, ") AS written,",
      " (SELECT SUM(orders) FROM ", daily, ") AS expected"),
      "orders")
  )
}

run_check <- function(con, check) {
  tryCatch({
    result <- warehouse_query(con, check$sql)
    passed <- isTRUE(check$passed(result))
    list(name = check$name, passed = passed,
         detail = if (passed) "" else check$detail(result))
  }, error = function(e) {
    list(name = check$name, passed = FALSE,
         detail = paste("query failed:", trimws(conditionMessage(e))))
  })
}

format_check_result <- function(result) {
  if (result$passed) paste("PASS", result$name)
  else paste0("FAIL ", result$name, " (", result$detail, ")")
}

# NULL when everything passed, else "validation failed: a (detail), b (detail)".
validation_failure_message <- function(results) {
  failed <- Filter(function(result) !result$passed, results)
  if (length(failed) == 0) return(NULL)
  paste("validation failed:", paste(vapply(failed, function(result) {
    paste0(result$name, " (", result$detail, ")")
  }, character(1)), collapse = ", "))
}
