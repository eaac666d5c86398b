"""The assets of ${{ values.app }}: what Dagster materialises and keeps track of."""

import dagster as dg

from . import orders


@dg.asset(description="Orders as they come in.")
def raw_orders() -> list[dict]:
    return orders.sample_orders()


@dg.asset(description="Revenue per day, from the orders.")
def daily_revenue(context: dg.AssetExecutionContext, raw_orders: list[dict]) -> dict[str, float]:
    revenue = orders.daily_revenue(raw_orders)
    context.add_output_metadata({"days": len(revenue), "total": sum(revenue.values())})
    return revenue
