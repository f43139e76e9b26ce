test_that("warehouse_connect names the missing variable", {
  withr::local_envvar(PGHOST = NA)
  expect_error(warehouse_connect(), "PGHOST")
})

test_that("warehouse_connect names every missing variable at once", {
  withr::local_envvar(PGUSER = "", PGPASSWORD = NA)
  expect_error(warehouse_connect(), "PGUSER, PGPASSWORD")
})

test_that("warehouse_connect reaches the database named by PGDATABASE", {
  con <- local_warehouse()
  expect_equal(warehouse_query(con, "SELECT current_database() AS db")$db,
               Sys.getenv("PGDATABASE"))
})

test_that("PGSSLMODE reaches libpq, as Redshift's TLS needs", {
  withr::local_envvar(PGSSLMODE = "require")
  con <- local_warehouse()
  ssl <- warehouse_query(con, "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")$ssl
  expect_true(ssl)
})

test_that("PGSSLROOTCERT reaches libpq, as verify-full on a shadow host needs", {
  # A CA file that does not exist: libpq names it only if it read the variable.
  ca_file <- file.path(tempdir(), "no-such-ca.crt")
  withr::local_envvar(PGSSLMODE = "verify-full", PGSSLROOTCERT = ca_file)
  expect_error(warehouse_connect(), ca_file, fixed = TRUE)
})

test_that("with_warehouse disconnects also when the work fails", {
  open_before <- length(DBI::dbListConnections(RPostgreSQL::PostgreSQL()))
  expect_error(with_warehouse(function(con) stop("boom")), "boom")
  expect_length(DBI::dbListConnections(RPostgreSQL::PostgreSQL()), open_before)
})
