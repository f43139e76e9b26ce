# Connection to the warehouse: PostgreSQL locally, Amazon Redshift in an AWS shadow.
# Everything comes from the libpq environment variables so the DAG (or a person at a
# shell) decides where the scripts point; nothing here knows a host name.

WAREHOUSE_REQUIRED_VARS <- c("PGHOST", "PGPORT", "PGDATABASE", "PGUSER", "PGPASSWORD")

warehouse_connect <- function() {
  values <- Sys.getenv(WAREHOUSE_REQUIRED_VARS, unset = "")
  missing <- WAREHOUSE_REQUIRED_VARS[values == ""]
  if (length(missing) > 0) {
    stop("warehouse_connect: environment variable ", paste(missing, collapse = ", "),
         " is not set", call. = FALSE)
  }
  # PGSSLMODE and PGSSLROOTCERT (verify-full and the CA file for Redshift) are not passed
  # here on purpose: RPostgreSQL has no argument for them, and libpq reads them from the
  # environment itself.
  DBI::dbConnect(
    RPostgreSQL::PostgreSQL(),
    host = values[["PGHOST"]],
    port = values[["PGPORT"]],
    dbname = values[["PGDATABASE"]],
    user = values[["PGUSER"]],
    password = values[["PGPASSWORD"]]
  )
}

# Runs `work(con)` on a fresh connection and always disconnects, also when `work` fails.
with_warehouse <- function(work) {
  con <- warehouse_connect()
  on.exit(DBI::dbDisconnect(con), add = TRUE)
  work(con)
}

# dbGetQuery in RPostgreSQL turns a failed query into a warning and a NULL result,
# which code then reads as "no rows". This raises the database's error instead.
warehouse_query <- function(con, sql) {
  result <- DBI::dbSendQuery(con, sql)
  on.exit(DBI::dbClearResult(result), add = TRUE)
  DBI::dbFetch(result, n = -1)
}
