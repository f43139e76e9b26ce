-- Production stand-in: the source tables a shadow starts from.
-- Types and constraints are ones Amazon Redshift also accepts (its PRIMARY KEY and
-- REFERENCES are informational), so the same DDL describes both warehouses.
CREATE TABLE customers (
    customer_id  BIGINT       NOT NULL PRIMARY KEY,
    full_name    VARCHAR(120) NOT NULL,
    email        VARCHAR(200) NOT NULL,
    region       VARCHAR(16)  NOT NULL,
    segment      VARCHAR(16)  NOT NULL,
    signup_date  DATE         NOT NULL
);

CREATE TABLE products (
    product_id   INTEGER       NOT NULL PRIMARY KEY,
    sku          VARCHAR(32)   NOT NULL,
    product_name VARCHAR(120)  NOT NULL,
    category     VARCHAR(32)   NOT NULL,
    list_price   DECIMAL(10,2) NOT NULL
);

CREATE TABLE orders (
    order_id     BIGINT      NOT NULL PRIMARY KEY,
    customer_id  BIGINT      NOT NULL REFERENCES customers (customer_id),
    ordered_at   TIMESTAMP   NOT NULL,
    status       VARCHAR(16) NOT NULL,
    channel      VARCHAR(16) NOT NULL
);

CREATE TABLE order_items (
    order_id     BIGINT        NOT NULL REFERENCES orders (order_id),
    line_number  SMALLINT      NOT NULL,
    product_id   INTEGER       NOT NULL REFERENCES products (product_id),
    quantity     INTEGER       NOT NULL,
    unit_price   DECIMAL(10,2) NOT NULL,
    discount     DECIMAL(4,3)  NOT NULL DEFAULT 0,
    PRIMARY KEY (order_id, line_number)
);
