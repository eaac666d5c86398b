"""Tests of the computations, on the standard library and pytest alone."""

import pytest

from ${{ values.packageName }}.orders import daily_revenue, sample_orders


def test_daily_revenue_adds_up_the_orders_of_each_day():
    assert daily_revenue(sample_orders()) == {"2024-05-01": 20.0, "2024-05-02": 30.0}


def test_daily_revenue_of_no_orders_is_empty():
    assert daily_revenue([]) == {}


def test_a_negative_amount_is_refused():
    with pytest.raises(ValueError, match="order 7"):
        daily_revenue([{"id": 7, "day": "2024-05-01", "amount": -1}])
