test_that("divide_round rounds half away from zero like NUMERIC ROUND", {
  expect_equal(divide_round(c(5, 15, 14, -5, -15, 0), 10), c(1, 2, 1, -1, -2, 0))
  expect_equal(divide_round(95, 1000), 0)
  expect_equal(divide_round(500, 1000), 1)
})

test_that("line amounts are exact integers whatever the binary form of the price", {
  # 0.29 * 100 is 28.999999999999996 in floating point.
  expect_identical(line_gross_cents(3, 0.29), 87)
  expect_identical(line_net_millicents(1, 0.10, 0.05), 9500)
  expect_identical(line_net_millicents(2, 19.99, 0.2), 2 * 1999 * 800)
})

test_that("a sum of many lines rounds once, not per line", {
  quantity <- rep(1, 1000)
  net <- line_net_millicents(quantity, rep(0.01, 1000), rep(0.5, 1000))
  expect_equal(cents_to_amount(divide_round(sum(net), 1000)), 5)
})
