-- The analytics schema holds what the metrics DAG writes.
CREATE SCHEMA analytics;

CREATE TABLE analytics.daily_revenue (
    order_date     DATE          NOT NULL,
    region         VARCHAR(16)   NOT NULL,
    orders         INTEGER       NOT NULL,
    items          INTEGER       NOT NULL,
    gross_revenue  DECIMAL(14,2) NOT NULL,
    net_revenue    DECIMAL(14,2) NOT NULL,
    computed_at    TIMESTAMP     NOT NULL,
    PRIMARY KEY (order_date, region)
);
