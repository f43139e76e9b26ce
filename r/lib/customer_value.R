# Lifetime value per customer over completed orders, banded for the marketing team.

# Lower bounds of net revenue per band; the names are the only allowed band values.
VALUE_BAND_LOWER_BOUNDS <- c(low = -Inf, mid = 500, high = 1500)

CUSTOMER_VALUE_LINES_SQL <- "
SELECT o.customer_id,
       c.segment,
       o.order_id,
       TO_CHAR(o.ordered_at, 'YYYY-MM-DD HH24:MI:SS') AS ordered_at,
       oi.quantity,
       oi.unit_price,
       oi.discount
FROM orders o
JOIN customers c ON c.customer_id = o.customer_id
JOIN order_items oi ON oi.order_id = o.order_id
WHERE o.status = 'completed'"

read_customer_value_lines <- function(con) {
  warehouse_query(con, CUSTOMER_VALUE_LINES_SQL)
}

value_band <- function(net_revenue) {
  names(VALUE_BAND_LOWER_BOUNDS)[findInterval(net_revenue, VALUE_BAND_LOWER_BOUNDS)]
}

# `lines`: customer_id, segment, order_id, ordered_at (ISO text), quantity, unit_price,
# discount. ISO timestamps sort as text, so first/last order are plain min/max.
compute_customer_value <- function(lines, computed_at) {
  customer <- group_rows(lines["customer_id"])
  per_customer <- function(values, summarise) summarise_groups(values, customer, summarise)

  net_millicents <- line_net_millicents(lines$quantity, lines$unit_price, lines$discount)
  net_revenue <- cents_to_amount(divide_round(per_customer(net_millicents, sum), 1000))
  data.frame(
    customer_id = customer$keys$customer_id,
    # A customer has one segment; taking the first line's avoids a second grouping key.
    segment = per_customer(lines$segment, function(segments) segments[[1]]),
    orders = as.integer(per_customer(lines$order_id, count_distinct)),
    net_revenue = net_revenue,
    first_order_at = per_customer(lines$ordered_at, min),
    last_order_at = per_customer(lines$ordered_at, max),
    value_band = value_band(net_revenue),
    computed_at = rep(computed_at, length(net_revenue)),
    stringsAsFactors = FALSE
  )
}
