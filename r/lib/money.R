# Money arithmetic in whole cents. Prices are DECIMAL(10,2) and discounts DECIMAL(4,3),
# so a discounted line is an exact integer number of 1/1000 cents; summing those as
# integers and rounding once gives the same result as the warehouse's exact NUMERIC
# arithmetic (ROUND half away from zero), which floating-point sums would not.
# Integers up to 2^53 are exact in doubles, far beyond any realistic sum here.

to_cents <- function(amount) {
  round(amount * 100)
}

# Discount as an integer number of thousandths (0.050 -> 50).
to_per_mille <- function(fraction) {
  round(fraction * 1000)
}

# numerator / denominator rounded half away from zero, for integer-valued inputs.
divide_round <- function(numerator, denominator) {
  sign(numerator) * floor((2 * abs(numerator) + denominator) / (2 * denominator))
}

# Line amounts in cents (gross) and in 1/1000 cents (net, before rounding).
line_gross_cents <- function(quantity, unit_price) {
  quantity * to_cents(unit_price)
}

line_net_millicents <- function(quantity, unit_price, discount) {
  quantity * to_cents(unit_price) * (1000 - to_per_mille(discount))
}

cents_to_amount <- function(cents) {
  cents / 100
}
