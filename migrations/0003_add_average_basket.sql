-- A PR-sized change: the revenue table gains the average basket per order.
ALTER TABLE analytics.daily_revenue ADD COLUMN avg_basket DECIMAL(12,2);
