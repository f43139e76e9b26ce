# Task validate_outputs: every named check runs and prints one line; the task fails
# naming all failed checks, which is what the PR check shows as the log tail.
# Rscript passes the script path as --file=; r/lib sits beside this script.
script_file <- sub("^--file=", "", grep("^--file=", commandArgs(FALSE), value = TRUE)[[1]])
for (lib_file in list.files(file.path(dirname(normalizePath(script_file)), "lib"),
                            pattern = "[.]R$", full.names = TRUE)) {
  source(lib_file)
}

results <- with_warehouse(function(con) {
  lapply(validation_checks(), function(check) run_check(con, check))
})
for (result in results) log_line(format_check_result(result))

failure <- validation_failure_message(results)
if (!is.null(failure)) {
  message(failure)
  quit(status = 1)
}
log_line("validation passed: ", length(results), " checks")
