"""`[onboarding]` settings (the scheduler they drive is tested in
tests/integration/test_onboarding.py, with the app's real services)."""

from __future__ import annotations

import pytest

from bot.settings import ConfigError, parse_community


def test_onboarding_defaults_to_a_daily_sweep() -> None:
    onboarding = parse_community({}).onboarding
    assert onboarding.enabled is True
    assert onboarding.sweep_hours == 24.0


@pytest.mark.parametrize(
    ("raw", "key", "allowed"),
    [
        ({"onboarding": {"sweep_hours": 0}}, "onboarding.sweep_hours", "> 0"),
        ({"onboarding": {"sweep_hours": "daily"}}, "onboarding.sweep_hours", "> 0"),
        ({"onboarding": {"enabled": "yes"}}, "onboarding.enabled", "true or false"),
        ({"onboarding": {"sweep_every": 3}}, "onboarding.sweep_every", "sweep_hours"),
    ],
)
def test_bad_onboarding_value_names_the_key(raw: dict[str, object], key: str, allowed: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_community(raw)
    assert caught.value.key == key
    assert allowed in str(caught.value)
