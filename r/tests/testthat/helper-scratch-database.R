# A throw-away PostgreSQL database per test run, built from the real DDL (production
# schema plus migrations) so the tests notice when the scripts and the schema drift.

admin_connect <- function() {
  DBI::dbConnect(RPostgreSQL::PostgreSQL(),
                 host = Sys.getenv("PGHOST"), port = Sys.getenv("PGPORT"),
                 user = Sys.getenv("PGUSER"), password = Sys.getenv("PGPASSWORD"),
                 dbname = "postgres")
}

run_admin_sql <- function(sql) {
  con <- admin_connect()
  on.exit(DBI::dbDisconnect(con))
  DBI::dbExecute(con, sql)
}

# psql, as the migration runner does, so files behave exactly as they will in a shadow.
run_sql_file <- function(database, path) {
  output <- system2("psql", c("-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", shQuote(database),
                              "-f", shQuote(path)),
                    stdout = TRUE, stderr = TRUE)
  status <- attr(output, "status")
  if (!is.null(status) && status != 0) {
    stop("psql failed on ", path, ":\n", paste(output, collapse = "\n"), call. = FALSE)
  }
}

create_scratch_database <- function(name) {
  run_admin_sql(paste("DROP DATABASE IF EXISTS", name))
  run_admin_sql(paste("CREATE DATABASE", name))
  run_sql_file(name, file.path(REPO_ROOT, "scripts", "production", "schema.sql"))
  for (migration in sort(list.files(file.path(REPO_ROOT, "migrations"), pattern = "[.]sql$",
                                    full.names = TRUE))) {
    run_sql_file(name, migration)
  }
}

drop_scratch_database <- function(name) {
  run_admin_sql(paste("DROP DATABASE IF EXISTS", name))
}
