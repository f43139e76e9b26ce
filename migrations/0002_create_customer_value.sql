-- Per-customer lifetime value, banded for the marketing team.
CREATE TABLE analytics.customer_value (
    customer_id    BIGINT        NOT NULL PRIMARY KEY,
    segment        VARCHAR(16)   NOT NULL,
    orders         INTEGER       NOT NULL,
    net_revenue    DECIMAL(14,2) NOT NULL,
    first_order_at TIMESTAMP     NOT NULL,
    last_order_at  TIMESTAMP     NOT NULL,
    value_band     VARCHAR(8)    NOT NULL,
    computed_at    TIMESTAMP     NOT NULL
);
