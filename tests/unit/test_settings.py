from __future__ import annotations

from pathlib import Path

import pytest

from bot.settings import (
    DEFAULT_DATABASE_URL,
    CommunitySettings,
    ConfigError,
    load_community_file,
    load_settings,
    parse_community,
)
from moderation.ids import Mode, PolicyId

ROOT = Path(__file__).resolve().parents[2]


def test_example_file_holds_exactly_the_built_in_defaults() -> None:
    assert load_community_file(ROOT / "conduct.example.toml") == CommunitySettings()


def test_environment_supplies_secrets_and_urls(tmp_path: Path) -> None:
    settings = load_settings(
        {
            "SLACK_BOT_TOKEN": "xoxb-1",
            "SLACK_SIGNING_SECRET": "s",
            "DATABASE_URL": "postgresql://db/conduct",
            "SLACK_API_URL": "https://slack-gov.com/api",
            "PORT": "8080",
        },
        config_path=ROOT / "conduct.example.toml",
    )
    assert settings.slack.bot_token == "xoxb-1"
    assert settings.slack.api_url == "https://slack-gov.com/api/"
    assert settings.database_url == "postgresql://db/conduct"
    assert settings.port == 8080
    assert not settings.slack.socket_mode


@pytest.mark.parametrize(
    ("api_url", "scim_url"),
    [
        (None, "https://api.slack.com/scim/v1/"),
        ("https://slack.com/api/", "https://api.slack.com/scim/v1/"),
        ("https://slack-gov.com/api", "https://api.slack-gov.com/scim/v1/"),
        ("http://127.0.0.1:9000/api/", "http://127.0.0.1:9000/scim/v1/"),
        ("http://emulator.internal/slack/", "http://emulator.internal/slack/scim/v1/"),
    ],
)
def test_the_scim_url_follows_slack_api_url_unless_set(api_url: str | None, scim_url: str) -> None:
    env = {"SLACK_API_URL": api_url} if api_url else {}
    settings = load_settings(env, config_path=ROOT / "conduct.example.toml")
    assert settings.slack.scim_url == scim_url


def test_an_explicit_scim_url_wins_over_the_derived_one() -> None:
    settings = load_settings(
        {"SLACK_API_URL": "https://slack-gov.com/api/", "SLACK_SCIM_URL": "https://scim.example"},
        config_path=ROOT / "conduct.example.toml",
    )
    assert settings.slack.scim_url == "https://scim.example/"


def test_defaults_apply_without_file_or_database_url(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    settings = load_settings({})
    assert settings.database_url == DEFAULT_DATABASE_URL
    assert settings.community == CommunitySettings()
    assert settings.config_path is None


def test_missing_credentials_depend_on_transport() -> None:
    http = load_settings({"SLACK_BOT_TOKEN": "xoxb-1"}, config_path=ROOT / "conduct.example.toml")
    assert http.slack.missing_credentials() == ["SLACK_SIGNING_SECRET"]
    socket = load_settings(
        {"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_APP_TOKEN": "xapp-1"},
        config_path=ROOT / "conduct.example.toml",
    )
    assert socket.slack.socket_mode
    assert socket.slack.missing_credentials() == []
    nothing = load_settings({}, config_path=ROOT / "conduct.example.toml")
    assert nothing.slack.missing_credentials() == ["SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET"]


def test_community_file_overrides_channels_moderators_mode_and_thresholds() -> None:
    community = parse_community(
        {
            "community": {"mode": "shadow"},
            "channels": {"general_discussions": ["#general-discussions", "random"]},
            "moderators": {"user_ids": ["U01ABC"], "usergroup": "@mods"},
            "policies": {"geopolitics": {"enabled": False}, "harassment": {"flag_threshold": 0.9}},
            "nudges": {"exempt": {"self_promotion": ["U02STAFF"]}},
        }
    )
    assert community.mode is Mode.SHADOW
    assert community.channels.general_discussions == ("general-discussions", "random")
    assert community.moderators.user_ids == frozenset({"U01ABC"})
    assert community.moderators.usergroup == "mods"
    assert community.policies[PolicyId.GEOPOLITICS].enabled is False
    assert community.policies[PolicyId.HARASSMENT].flag_threshold == 0.9
    assert community.policies[PolicyId.HARASSMENT].nudge_threshold == 0.8
    assert community.nudges.exempt_user_ids == {PolicyId.SELF_PROMOTION: frozenset({"U02STAFF"})}


@pytest.mark.parametrize(
    ("raw", "key", "allowed"),
    [
        ({"community": {"mode": "strict"}}, "community.mode", "enforce, shadow"),
        (
            {"policies": {"harassment": {"nudge_threshold": 1.5}}},
            "policies.harassment.nudge_threshold",
            "from 0 to 1",
        ),
        (
            {"policies": {"harassment": {"nudge_threshold": "high"}}},
            "policies.harassment.nudge_threshold",
            "from 0 to 1",
        ),
        ({"policies": {"spam": {}}}, "policies.spam", "self_promotion"),
        ({"channels": {"shameless_plug": "x"}}, "channels.shameless_plug", "shameless_plugs"),
        ({"channels": {"moderators": "Mod Channel"}}, "channels.moderators", "channel name"),
        ({"moderators": {"user_ids": ["alice"]}}, "moderators.user_ids", "Slack user ids"),
        ({"moderators": {"user_ids": "U1"}}, "moderators.user_ids", "list of strings"),
        ({"nudges": {"rate_limit_hours": -1}}, "nudges.rate_limit_hours", ">= 0"),
        (
            {"policies": {"funds_request": {"enabled": "yes"}}},
            "policies.funds_request.enabled",
            "true or false",
        ),
    ],
)
def test_bad_value_names_the_key_and_what_is_allowed(
    raw: dict[str, object], key: str, allowed: str
) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_community(raw)
    assert caught.value.key == key
    assert allowed in str(caught.value)


def test_malformed_toml_is_reported_with_the_file_name(tmp_path: Path) -> None:
    path = tmp_path / "conduct.toml"
    path.write_text("[community\nmode = 'enforce'\n")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_community_file(path)


def test_flag_threshold_false_turns_flagging_off() -> None:
    community = parse_community({"policies": {"funds_request": {"flag_threshold": False}}})
    assert community.policies[PolicyId.FUNDS_REQUEST].flag_threshold is None


@pytest.mark.parametrize(
    ("name", "value"), [("SLACK_API_URL", "slack.com/api"), ("PORT", "eighty")]
)
def test_bad_environment_value_names_the_variable(name: str, value: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings({name: value}, config_path=ROOT / "conduct.example.toml")
    assert caught.value.key == name


def test_config_path_from_environment_must_exist(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings({"CONDUCT_CONFIG": str(tmp_path / "nope.toml")})
    assert caught.value.key == "CONDUCT_CONFIG"
