"""The computations behind the assets, in plain Python: easy to test without Dagster."""

from collections import defaultdict


def sample_orders() -> list[dict]:
    """A few orders; replace with a read from your source (a database, an API, files)."""
    return [
        {"id": 1, "day": "2024-05-01", "amount": 12.5},
        {"id": 2, "day": "2024-05-01", "amount": 7.5},
        {"id": 3, "day": "2024-05-02", "amount": 30.0},
    ]


def daily_revenue(orders: list[dict]) -> dict[str, float]:
    """The total amount of the orders of each day, by day."""
    totals: dict[str, float] = defaultdict(float)
    for order in orders:
        if order["amount"] < 0:
            raise ValueError(f"order {order['id']} has a negative amount")
        totals[order["day"]] += order["amount"]
    return dict(sorted(totals.items()))
