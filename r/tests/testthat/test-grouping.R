test_that("group_rows sorts groups by every key and maps rows onto them", {
  keys <- data.frame(day = c("2025-01-02", "2025-01-01", "2025-01-02", "2025-01-01"),
                     region = c("west", "west", "east", "west"), stringsAsFactors = FALSE)
  grouping <- group_rows(keys)
  expect_equal(grouping$keys$day, c("2025-01-01", "2025-01-02", "2025-01-02"))
  expect_equal(grouping$keys$region, c("west", "east", "west"))
  expect_equal(summarise_groups(c(1, 2, 3, 4), grouping, sum), c(2 + 4, 3, 1))
})

test_that("numeric keys sort as numbers, not as text", {
  grouping <- group_rows(data.frame(id = c(100000, 9, 10)))
  expect_equal(grouping$keys$id, c(9, 10, 100000))
})

test_that("summarise_groups keeps the type on empty input", {
  grouping <- group_rows(data.frame(id = numeric(0)))
  expect_identical(summarise_groups(character(0), grouping, min), character(0))
})
