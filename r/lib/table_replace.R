# Replacing a result table's contents in a way both PostgreSQL and Redshift accept.
# Redshift rules out the shortcuts: TRUNCATE commits implicitly (readers would see an
# empty table), there is no ON CONFLICT, and COPY only reads from S3, which is why
# dbWriteTable (COPY ... FROM STDIN in RPostgreSQL) is not used. So: DELETE plus
# multi-row INSERTs inside one transaction.

INSERT_BATCH_ROWS <- 500

# SQL literals for one column; NA becomes NULL.
sql_literals <- function(con, values) {
  literals <- if (is.numeric(values)) {
    # %.15g keeps ids like 100000 out of scientific notation and cents exact.
    sprintf("%.15g", values)
  } else if (is.logical(values)) {
    ifelse(values, "TRUE", "FALSE")
  } else {
    as.character(DBI::dbQuoteString(con, as.character(values)))
  }
  literals[is.na(values)] <- "NULL"
  literals
}

insert_statements <- function(con, table, rows) {
  columns <- paste(DBI::dbQuoteIdentifier(con, names(rows)), collapse = ", ")
  literal_columns <- lapply(rows, function(values) sql_literals(con, values))
  tuples <- paste0("(", do.call(paste, c(literal_columns, sep = ", ")), ")")
  batches <- split(tuples, ceiling(seq_along(tuples) / INSERT_BATCH_ROWS))
  vapply(batches, function(batch) {
    paste0("INSERT INTO ", table, " (", columns, ") VALUES ", paste(batch, collapse = ", "))
  }, character(1), USE.NAMES = FALSE)
}

# `table` is a qualified name such as "analytics.daily_revenue"; returns rows written.
replace_table_contents <- function(con, table, rows) {
  statements <- if (nrow(rows) > 0) insert_statements(con, table, rows) else character(0)
  DBI::dbWithTransaction(con, {
    DBI::dbExecute(con, paste("DELETE FROM", table))
    for (statement in statements) DBI::dbExecute(con, statement)
  })
  nrow(rows)
}

# One timestamp for a whole run, in UTC, as a literal the TIMESTAMP columns accept.
computed_at_now <- function() {
  format(Sys.time(), "%Y-%m-%d %H:%M:%S", tz = "UTC")
}
