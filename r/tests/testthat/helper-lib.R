# testthat runs tests with this directory as working directory; the code under test
# is r/lib, two levels up.
for (lib_file in list.files(file.path("..", "..", "lib"), pattern = "[.]R$", full.names = TRUE)) {
  source(lib_file)
}

REPO_ROOT <- normalizePath(file.path("..", "..", ".."))
