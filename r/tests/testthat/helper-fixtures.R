# Small source data sets. Random but seeded, plus the cases that break naive code:
# an order one second before midnight (a time-zone shift would move it), discounts
# that end exactly on half a cent, statuses other than completed, and a customer
# without completed orders.

fixture_sources <- function(seed = 7) withr::with_seed(seed, {
  customers <- data.frame(
    customer_id = c(1, 2, 3, 4, 5, 100000),
    full_name = c("Ada O'Hara", "Grace Hopper", "Alan Turing", "Edsger D", "Barbara L", "Ken T"),
    email = paste0("c", 1:6, "@example.com"),
    region = c("north", "south", "north", "east", "west", "east"),
    segment = c("consumer", "enterprise", "consumer", "small_business", "consumer", "consumer"),
    signup_date = "2024-06-01",
    stringsAsFactors = FALSE)
  products <- data.frame(product_id = 1:3, sku = paste0("SKU-", 1:3),
                         product_name = paste("Item", 1:3), category = "books",
                         list_price = c(0.10, 19.99, 3.33))
  n_orders <- 40
  orders <- data.frame(
    order_id = seq_len(n_orders),
    # customer 5 only ever has cancelled orders (set below)
    customer_id = sample(c(1, 2, 3, 4, 100000), n_orders, replace = TRUE),
    ordered_at = sprintf("2025-01-0%d %02d:%02d:%02d", sample(1:4, n_orders, replace = TRUE),
                         sample(0:23, n_orders, replace = TRUE),
                         sample(0:59, n_orders, replace = TRUE),
                         sample(0:59, n_orders, replace = TRUE)),
    status = sample(c("completed", "completed", "completed", "cancelled", "returned"),
                    n_orders, replace = TRUE),
    channel = "web",
    stringsAsFactors = FALSE)
  orders$ordered_at[1] <- "2025-01-01 23:59:59"
  orders$status[1:2] <- "completed"
  orders <- rbind(orders, data.frame(order_id = n_orders + 1, customer_id = 5,
                                     ordered_at = "2025-01-02 10:00:00", status = "cancelled",
                                     channel = "web"))
  lines_per_order <- sample(1:4, nrow(orders), replace = TRUE)
  order_items <- data.frame(
    order_id = rep(orders$order_id, lines_per_order),
    line_number = sequence(lines_per_order),
    product_id = sample(1:3, sum(lines_per_order), replace = TRUE),
    quantity = sample(1:4, sum(lines_per_order), replace = TRUE),
    discount = sample(c(0, 0, 0.05, 0.1, 0.2), sum(lines_per_order), replace = TRUE))
  order_items$unit_price <- products$list_price[order_items$product_id]
  # 1 x 0.10 at 5% off is 0.095: rounds to 0.10 only with exact half-away rounding.
  order_items[1, c("product_id", "quantity", "unit_price", "discount")] <- list(1, 1, 0.10, 0.05)
  list(customers = customers, products = products, orders = orders, order_items = order_items)
})

insert_rows <- function(con, table, rows) {
  for (statement in insert_statements(con, table, rows)) DBI::dbExecute(con, statement)
}

# Replaces sources and results in the scratch database with `sources`.
load_fixture <- function(con, sources = fixture_sources()) {
  for (table in c("analytics.daily_revenue", "analytics.customer_value", "order_items",
                  "orders", "products", "customers")) {
    DBI::dbExecute(con, paste("DELETE FROM", table))
  }
  for (table in c("customers", "products", "orders", "order_items")) {
    insert_rows(con, table, sources[[table]])
  }
  invisible(sources)
}

# A connection to the scratch database, closed when the calling test ends.
local_warehouse <- function(env = parent.frame()) {
  con <- warehouse_connect()
  withr::defer(DBI::dbDisconnect(con), envir = env)
  con
}
