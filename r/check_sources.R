# Task check_sources: the source tables the metrics read exist and hold rows.
# Fails fast so a shadow restored from an empty or partial snapshot is reported as
# such, not as a wrong number three tasks later.
# Rscript passes the script path as --file=; r/lib sits beside this script.
script_file <- sub("^--file=", "", grep("^--file=", commandArgs(FALSE), value = TRUE)[[1]])
for (lib_file in list.files(file.path(dirname(normalizePath(script_file)), "lib"),
                            pattern = "[.]R$", full.names = TRUE)) {
  source(lib_file)
}

counts <- with_warehouse(count_source_rows)
for (table in names(counts)) {
  if (is.na(counts[[table]])) log_line(table, ": missing or unreadable")
  else log_row_count(table, counts[[table]])
}

problems <- source_table_problems(counts)
if (length(problems) > 0) {
  message("source check failed: ", paste(problems, collapse = "; "))
  quit(status = 1)
}
