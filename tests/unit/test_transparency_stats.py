"""Small-count suppression and percentiles of the transparency report."""

from __future__ import annotations

import pytest

from bot.reports.stats import hours, percentile, shown


@pytest.mark.parametrize(
    ("count", "text"), [(0, "0"), (1, "<5"), (4, "<5"), (5, "5"), (123, "123")]
)
def test_counts_from_one_to_four_are_shown_as_under_five(count: int, text: str) -> None:
    assert shown(count) == text


def test_percentiles_interpolate_between_closest_ranks() -> None:
    values = [10.0, 20.0, 30.0, 40.0]
    assert percentile(values, 50) == 25.0
    assert percentile(values, 90) == pytest.approx(37.0)
    assert percentile([7.0], 90) == 7.0
    assert percentile(list(reversed(values)), 0) == 10.0
    assert percentile(values, 100) == 40.0


def test_no_values_have_no_percentile() -> None:
    assert percentile([], 50) is None
    assert hours(None) == "n/a"


def test_durations_read_in_minutes_hours_or_days() -> None:
    assert hours(30 * 60) == "30 min"
    assert hours(5 * 3600) == "5.0 h"
    assert hours(4 * 86400) == "4.0 days"
