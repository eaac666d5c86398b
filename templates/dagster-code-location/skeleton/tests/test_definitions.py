"""Tests that need Dagster itself: run them with `uv run pytest`."""

import pytest

dg = pytest.importorskip("dagster")


def test_the_definitions_load():
    from ${{ values.packageName }}.definitions import defs

    assert isinstance(defs, dg.Definitions)


def test_the_assets_materialise():
    from ${{ values.packageName }}.assets import daily_revenue, raw_orders

    result = dg.materialize([raw_orders, daily_revenue])
    assert result.success
    assert result.output_for_node("daily_revenue") == {"2024-05-01": 20.0, "2024-05-02": 30.0}
