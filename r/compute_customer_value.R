# Task compute_customer_value: rebuilds analytics.customer_value from the order lines.
# Rscript passes the script path as --file=; r/lib sits beside this script.
script_file <- sub("^--file=", "", grep("^--file=", commandArgs(FALSE), value = TRUE)[[1]])
for (lib_file in list.files(file.path(dirname(normalizePath(script_file)), "lib"),
                            pattern = "[.]R$", full.names = TRUE)) {
  source(lib_file)
}

with_warehouse(function(con) {
  lines <- read_customer_value_lines(con)
  log_row_count("completed order lines", nrow(lines), "read")
  customers <- compute_customer_value(lines, computed_at_now())
  written <- replace_table_contents(con, "analytics.customer_value", customers)
  log_row_count("analytics.customer_value", written, "rows written")
})
