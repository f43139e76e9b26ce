"""Deterministic sample data for the production stand-in.

Prints a psql script (COPY ... FROM stdin blocks) on stdout, so loading needs nothing
but psql:  python3 generate_data.py --scale 1 | psql -v ON_ERROR_STOP=1 -d DB

The same --seed and --scale always give byte-identical output: tests and benchmarks
compare runs against each other, and a shadow is only useful if "production" is stable.
Scale 1 gives 10,000 customers, 40,000 orders and about 120,000 order items.
Only the standard library is used, so it runs before any virtualenv exists.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sys
from collections.abc import Iterable
from typing import TextIO

REGIONS = ["north", "south", "east", "west", "central"]
SEGMENTS = [("consumer", 70), ("small_business", 22), ("enterprise", 8)]
CATEGORIES = ["books", "garden", "kitchen", "outdoor", "toys", "tools", "office", "sports"]
STATUSES = [("completed", 85), ("cancelled", 7), ("returned", 5), ("pending", 3)]
CHANNELS = [("web", 60), ("mobile", 30), ("store", 10)]
FIRST_NAMES = ["Ada", "Grace", "Alan", "Edsger", "Barbara", "Ken", "Margaret", "Donald",
               "Frances", "John", "Radia", "Tim", "Hedy", "Dennis", "Katherine", "Linus"]
LAST_NAMES = ["Lovelace", "Hopper", "Turing", "Dijkstra", "Liskov", "Thompson", "Hamilton",
              "Knuth", "Allen", "Backus", "Perlman", "Berners-Lee", "Lamarr", "Ritchie"]

PERIOD_START = dt.datetime(2025, 1, 1)
PERIOD_DAYS = 365


def weighted(rng: random.Random, choices: list[tuple[str, int]]) -> str:
    return rng.choices([c for c, _ in choices], weights=[w for _, w in choices])[0]


def copy_block(out: TextIO, table: str, columns: list[str], rows: Iterable[tuple]) -> int:
    out.write(f"COPY {table} ({', '.join(columns)}) FROM stdin;\n")
    count = 0
    for row in rows:
        out.write("\t".join(str(v) for v in row))
        out.write("\n")
        count += 1
    out.write("\\.\n")
    return count


def customers(rng: random.Random, n: int):
    for cid in range(1, n + 1):
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        signup = PERIOD_START - dt.timedelta(days=rng.randint(0, 3 * 365))
        yield (cid, f"{first} {last}", f"{first}.{last}.{cid}@example.com".lower(),
               rng.choice(REGIONS), weighted(rng, SEGMENTS), signup.date().isoformat())


def products(rng: random.Random, n: int):
    for pid in range(1, n + 1):
        category = rng.choice(CATEGORIES)
        price = round(rng.lognormvariate(3.0, 0.8), 2) + 0.99
        yield (pid, f"SKU-{pid:06d}", f"{category.title()} item {pid}", category, f"{price:.2f}")


def orders_and_items(rng: random.Random, n_orders: int, n_customers: int,
                     prices: list[float]):
    orders, items = [], []
    for oid in range(1, n_orders + 1):
        at = PERIOD_START + dt.timedelta(seconds=rng.randrange(PERIOD_DAYS * 86400))
        orders.append((oid, rng.randint(1, n_customers), at.isoformat(sep=" "),
                       weighted(rng, STATUSES), weighted(rng, CHANNELS)))
        for line in range(1, rng.randint(1, 5) + 1):
            pid = rng.randint(1, len(prices))
            discount = rng.choice([0, 0, 0, 0.05, 0.1, 0.2])
            items.append((oid, line, pid, rng.randint(1, 4), f"{prices[pid - 1]:.2f}",
                          f"{discount:.3f}"))
    return orders, items


def generate(out: TextIO, scale: float, seed: int) -> dict[str, int]:
    rng = random.Random(seed)
    n_customers = max(10, int(10_000 * scale))
    n_products = max(20, min(1000, int(200 * scale)))
    n_orders = max(10, int(40_000 * scale))

    product_rows = list(products(rng, n_products))
    prices = [float(row[4]) for row in product_rows]
    order_rows, item_rows = orders_and_items(rng, n_orders, n_customers, prices)

    out.write("BEGIN;\n")
    counts = {
        "customers": copy_block(out, "customers", ["customer_id", "full_name", "email",
                                "region", "segment", "signup_date"], customers(rng, n_customers)),
        "products": copy_block(out, "products", ["product_id", "sku", "product_name",
                               "category", "list_price"], product_rows),
        "orders": copy_block(out, "orders", ["order_id", "customer_id", "ordered_at",
                             "status", "channel"], order_rows),
        "order_items": copy_block(out, "order_items", ["order_id", "line_number",
                                  "product_id", "quantity", "unit_price", "discount"], item_rows),
    }
    out.write("COMMIT;\nANALYZE;\n")
    return counts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0,
                        help="size factor: 1 gives about 120,000 order items (default 1)")
    parser.add_argument("--seed", type=int, default=20250101, help="random seed")
    args = parser.parse_args(argv)
    if args.scale <= 0:
        parser.error("--scale must be greater than 0")
    counts = generate(sys.stdout, args.scale, args.seed)
    print(", ".join(f"{t}: {n}" for t, n in counts.items()), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
