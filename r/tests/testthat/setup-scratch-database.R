# Every test file works in one scratch database, dropped when the run ends.
scratch_database <- paste0("shadowops_rtest_", Sys.getpid())
create_scratch_database(scratch_database)
withr::defer(drop_scratch_database(scratch_database), teardown_env())
# Scripts started by the tests inherit this, like tasks inherit it from Airflow.
withr::local_envvar(PGDATABASE = scratch_database, .local_envir = teardown_env())
