# One-line progress messages. Airflow shows a task's stdout as its log, and the
# shadow's PR check quotes the log tail, so every line must make sense on its own.

log_line <- function(...) {
  cat(format(Sys.time(), "%Y-%m-%dT%H:%M:%S%z"), " ", ..., "\n", sep = "")
}

log_row_count <- function(table, rows, what = "rows") {
  log_line(table, ": ", format(rows, big.mark = ",", scientific = FALSE), " ", what)
}
