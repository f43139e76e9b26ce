# Revenue per order day and customer region, over completed orders.

# Order lines of completed orders. Dates come back as text so that no time-zone
# conversion in the driver can move an order to another day.
DAILY_REVENUE_LINES_SQL <- "
SELECT o.order_id,
       TO_CHAR(o.ordered_at, 'YYYY-MM-DD') AS order_date,
       c.region,
       oi.quantity,
       oi.unit_price,
       oi.discount
FROM orders o
JOIN customers c ON c.customer_id = o.customer_id
JOIN order_items oi ON oi.order_id = o.order_id
WHERE o.status = 'completed'"

read_daily_revenue_lines <- function(con) {
  warehouse_query(con, DAILY_REVENUE_LINES_SQL)
}

# `lines`: order_id, order_date, region, quantity, unit_price, discount.
# Returns one row per (order_date, region): orders (distinct), items (units sold),
# gross_revenue, net_revenue and avg_basket (net revenue per order), rounded to cents.
compute_daily_revenue <- function(lines, computed_at) {
  day <- group_rows(lines[c("order_date", "region")])
  per_day <- function(values, summarise) summarise_groups(values, day, summarise)

  orders <- per_day(lines$order_id, count_distinct)
  gross_cents <- per_day(line_gross_cents(lines$quantity, lines$unit_price), sum)
  net_millicents <- per_day(
    line_net_millicents(lines$quantity, lines$unit_price, lines$discount), sum)
  net_cents <- divide_round(net_millicents, 1000)
  data.frame(
    order_date = day$keys$order_date,
    region = day$keys$region,
    orders = as.integer(orders),
    items = as.integer(per_day(lines$quantity, sum)),
    gross_revenue = cents_to_amount(gross_cents),
    net_revenue = cents_to_amount(net_cents),
    avg_basket = cents_to_amount(divide_round(net_cents, orders)),
    computed_at = rep(computed_at, length(orders)),
    stringsAsFactors = FALSE
  )
}
