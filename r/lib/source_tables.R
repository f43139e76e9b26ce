# The source tables the metrics read, and what makes them unusable.

SOURCE_TABLES <- c("customers", "orders", "order_items")

# Row count per table; NA when the table is missing or unreadable.
count_source_rows <- function(con, tables = SOURCE_TABLES) {
  vapply(tables, function(table) {
    tryCatch(as.numeric(warehouse_query(con, paste("SELECT COUNT(*) AS n FROM", table))$n),
             error = function(e) NA_real_)
  }, numeric(1))
}

# Named counts in, one message per problem out (empty when all tables are usable).
source_table_problems <- function(counts) {
  missing <- names(counts)[is.na(counts)]
  empty <- names(counts)[!is.na(counts) & counts == 0]
  c(character(0),
    if (length(missing) > 0) paste("missing:", paste(missing, collapse = ", ")),
    if (length(empty) > 0) paste("empty:", paste(empty, collapse = ", ")))
}
