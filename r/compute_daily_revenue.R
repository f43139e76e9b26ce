# Task compute_daily_revenue: rebuilds analytics.daily_revenue from the order lines.
# Rscript passes the script path as --file=; r/lib sits beside this script.
script_file <- sub("^--file=", "", grep("^--file=", commandArgs(FALSE), value = TRUE)[[1]])
for (lib_file in list.files(file.path(dirname(normalizePath(script_file)), "lib"),
                            pattern = "[.]R$", full.names = TRUE)) {
  source(lib_file)
}

with_warehouse(function(con) {
  lines <- read_daily_revenue_lines(con)
  log_row_count("completed order lines", nrow(lines), "read")
  daily <- compute_daily_revenue(lines, computed_at_now())
  written <- replace_table_contents(con, "analytics.daily_revenue", daily)
  log_row_count("analytics.daily_revenue", written, "rows written")
})
