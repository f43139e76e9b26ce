# Group-wise summaries in base R (dplyr is not available on the shadow nodes).

# The distinct combinations of `keys` (a data frame), sorted, and for every input row
# the group it belongs to, as a factor whose levels follow that order.
group_rows <- function(keys) {
  label <- do.call(paste, c(unname(keys), sep = "\r"))
  distinct <- keys[!duplicated(label), , drop = FALSE]
  distinct <- distinct[do.call(order, unname(distinct)), , drop = FALSE]
  rownames(distinct) <- NULL
  levels <- do.call(paste, c(unname(distinct), sep = "\r"))
  list(keys = distinct, group = factor(label, levels = levels))
}

# One value per group: `summarise` applied to the group's slice of `values`.
summarise_groups <- function(values, grouping, summarise) {
  if (length(values) == 0) return(vector(mode(values), 0))
  as.vector(tapply(values, grouping$group, summarise))
}

count_distinct <- function(values) {
  length(unique(values))
}
