"""`[transparency]` in conduct.toml: the monthly post is off until a channel is named."""

from __future__ import annotations

import pytest

from bot.settings import ConfigError, TransparencySettings, parse_community


def test_monthly_post_is_off_by_default_and_on_with_a_channel() -> None:
    assert parse_community({}).transparency == TransparencySettings()
    assert not parse_community({"transparency": {"monthly_channel": ""}}).transparency.enabled
    on = parse_community(
        {"transparency": {"monthly_channel": "#community-updates", "post_hour_utc": 15}}
    ).transparency
    assert on == TransparencySettings(monthly_channel="community-updates", post_hour_utc=15)
    assert on.enabled


@pytest.mark.parametrize(
    ("table", "key"),
    [
        ({"monthly_channel": "Not A Channel"}, "transparency.monthly_channel"),
        ({"post_hour_utc": 24}, "transparency.post_hour_utc"),
        ({"post_hour_utc": -1}, "transparency.post_hour_utc"),
        ({"channel": "x"}, "transparency.channel"),
    ],
)
def test_bad_transparency_setting_names_the_key(table: dict[str, object], key: str) -> None:
    with pytest.raises(ConfigError) as error:
        parse_community({"transparency": table})
    assert error.value.key == key
