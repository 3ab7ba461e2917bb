"""Settings: secrets and URLs from the environment, community rules from `conduct.toml`.

Everything is validated when loaded, so a typo in the file or a bad value stops the bot at
start-up with a message naming the key and what is allowed, instead of surfacing later as a
confusing Slack error.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from moderation.config import DEFAULT_THRESHOLDS, ChannelScopes, EngineConfig, PolicyThresholds
from moderation.ids import Mode, PolicyId

DEFAULT_DATABASE_URL = "sqlite:///conduct.db"
DEFAULT_SLACK_API_URL = "https://slack.com/api/"
DEFAULT_SCIM_URL = "https://api.slack.com/scim/v1/"
# Hosts whose SCIM API lives on their api. subdomain (commercial Slack, GovSlack).
SLACK_WEB_HOSTS = frozenset({"slack.com", "slack-gov.com"})
DEFAULT_CONFIG_FILE = "conduct.toml"
DEFAULT_PORT = 3000

# Every environment variable the bot reads; the deployment files are checked against it.
ENVIRONMENT_VARIABLES = frozenset(
    {
        "SLACK_BOT_TOKEN",
        "SLACK_SIGNING_SECRET",
        "SLACK_APP_TOKEN",
        "SLACK_API_URL",
        "SLACK_ADMIN_USER_TOKEN",
        "SLACK_SCIM_URL",
        "DATABASE_URL",
        "CONDUCT_CONFIG",
        "HOST",
        "PORT",
        "HEALTH_PORT",
        "SHUTDOWN_TIMEOUT",
        "LOG_FORMAT",
        "LOG_LEVEL",
        "PROMETHEUS_MULTIPROC_DIR",
    }
)


class ConfigError(ValueError):
    """A setting has a value we cannot use; the message names the key and what is allowed."""

    def __init__(self, key: str, problem: str) -> None:
        self.key = key
        self.problem = problem
        super().__init__(f"{key}: {problem}")


class MissingCredentials(ConfigError):
    def __init__(self, names: list[str]) -> None:
        self.names = names
        super().__init__(", ".join(names), "not set")


@dataclass(frozen=True)
class SlackSettings:
    bot_token: str | None
    signing_secret: str | None
    app_token: str | None
    api_url: str = DEFAULT_SLACK_API_URL
    admin_user_token: str | None = None
    scim_url: str = DEFAULT_SCIM_URL

    @property
    def socket_mode(self) -> bool:
        return bool(self.app_token)

    def missing_credentials(self) -> list[str]:
        """The environment variables a run in the current transport still needs."""
        missing = []
        if not self.bot_token:
            missing.append("SLACK_BOT_TOKEN")
        if self.socket_mode:
            return missing
        if not self.signing_secret:
            missing.append("SLACK_SIGNING_SECRET")
        return missing


@dataclass(frozen=True)
class ChannelSettings:
    shameless_plugs: str = "shameless-plugs"
    general_discussions: tuple[str, ...] = ("general-discussions",)
    moderators: str = "conduct-moderators"


@dataclass(frozen=True)
class ModeratorSettings:
    user_ids: frozenset[str] = frozenset()
    usergroup: str | None = None
    cache_seconds: int = 300


@dataclass(frozen=True)
class NudgeSettings:
    rate_limit_hours: float = 24.0
    exempt_user_ids: Mapping[PolicyId, frozenset[str]] = field(default_factory=dict)


@dataclass(frozen=True)
class OnboardingSettings:
    """Real-name onboarding: the check on join, profile change and first message, and the
    sweep over every member every `sweep_hours` (who joined before the bot, or changed their
    name while it was down). `enabled = false` turns all of it off."""

    enabled: bool = True
    sweep_hours: float = 24.0


ENFORCEMENT_BACKENDS = ("notify", "channels", "scim")


@dataclass(frozen=True)
class EnforcementSettings:
    """How decisions are carried out on Slack (README, "Enforcement backends"), and how often
    each process looks for temporary bans that have ended."""

    backend: str = "notify"
    sweep_seconds: float = 30.0
    #: a lift started this long ago and not finished (its process died) is taken over
    lift_lease_seconds: float = 120.0


@dataclass(frozen=True)
class AppealSettings:
    """How long after a decision a member may appeal, and where appeals go (a leadership
    channel; empty: the moderators' channel)."""

    window_days: int = 30
    channel: str | None = None


@dataclass(frozen=True)
class TransparencySettings:
    """The monthly transparency post (README, "Transparency report"): on the 1st of each month
    at `post_hour_utc`, last month's summary and chart go to `monthly_channel`. Off while the
    channel is empty."""

    monthly_channel: str | None = None
    post_hour_utc: int = 9

    @property
    def enabled(self) -> bool:
        return self.monthly_channel is not None


@dataclass(frozen=True)
class CommunitySettings:
    name: str = "All Tech Is Human"
    guidelines_url: str = "https://alltechishuman.org/code-of-conduct"
    mode: Mode = Mode.ENFORCE
    channels: ChannelSettings = field(default_factory=ChannelSettings)
    moderators: ModeratorSettings = field(default_factory=ModeratorSettings)
    policies: Mapping[PolicyId, PolicyThresholds] = field(
        default_factory=lambda: dict(DEFAULT_THRESHOLDS)
    )
    nudges: NudgeSettings = field(default_factory=NudgeSettings)
    onboarding: OnboardingSettings = field(default_factory=OnboardingSettings)
    appeals: AppealSettings = field(default_factory=AppealSettings)
    enforcement: EnforcementSettings = field(default_factory=EnforcementSettings)
    transparency: TransparencySettings = field(default_factory=TransparencySettings)

    def engine_config(self) -> EngineConfig:
        return EngineConfig(
            thresholds=dict(self.policies),
            channels=ChannelScopes(
                shameless_plugs=self.channels.shameless_plugs,
                general_discussions=frozenset(self.channels.general_discussions),
            ),
        )


@dataclass(frozen=True)
class Settings:
    slack: SlackSettings
    community: CommunitySettings
    database_url: str = DEFAULT_DATABASE_URL
    host: str = "0.0.0.0"  # noqa: S104 - a container's server must listen beyond loopback
    port: int = DEFAULT_PORT
    config_path: Path | None = None


def load_settings(
    env: Mapping[str, str] | None = None, config_path: Path | None = None
) -> Settings:
    """Read the environment and the community file.

    `config_path` wins over `CONDUCT_CONFIG`; without either, `./conduct.toml` is read when it
    exists and ATIH's defaults (the same as `conduct.example.toml`) apply otherwise.
    """
    env = os.environ if env is None else env
    slack = SlackSettings(
        bot_token=env.get("SLACK_BOT_TOKEN") or None,
        signing_secret=env.get("SLACK_SIGNING_SECRET") or None,
        app_token=env.get("SLACK_APP_TOKEN") or None,
        api_url=_api_url(env.get("SLACK_API_URL") or DEFAULT_SLACK_API_URL),
        admin_user_token=env.get("SLACK_ADMIN_USER_TOKEN") or None,
        scim_url=_scim_url(env.get("SLACK_SCIM_URL"), env.get("SLACK_API_URL")),
    )
    if config_path is None and env.get("CONDUCT_CONFIG"):
        config_path = Path(env["CONDUCT_CONFIG"])
        if not config_path.is_file():
            raise ConfigError("CONDUCT_CONFIG", f"no file at {config_path}")
    if config_path is None and Path(DEFAULT_CONFIG_FILE).is_file():
        config_path = Path(DEFAULT_CONFIG_FILE)
    community = load_community_file(config_path) if config_path else CommunitySettings()
    return Settings(
        slack=slack,
        community=community,
        database_url=env.get("DATABASE_URL") or DEFAULT_DATABASE_URL,
        host=env.get("HOST") or "0.0.0.0",  # noqa: S104
        port=_port(env.get("PORT")),
        config_path=config_path,
    )


def _api_url(value: str) -> str:
    return _url("SLACK_API_URL", value)


def _scim_url(explicit: str | None, api_url: str | None) -> str:
    """SLACK_SCIM_URL, or one derived from SLACK_API_URL so a single setting moves every client.

    Slack serves SCIM from the ``api.`` subdomain of the host that serves the Web API
    (``slack.com/api/`` -> ``api.slack.com/scim/v1/``); the same rule gives
    ``api.slack-gov.com/scim/v1/`` for GovSlack. Any other host (an emulator in staging) is
    taken to serve SCIM beside its Web API: ``…/api/`` -> ``…/scim/v1/``.
    """
    if explicit:
        return _url("SLACK_SCIM_URL", explicit)
    if not api_url:
        return DEFAULT_SCIM_URL
    parts = urlsplit(_api_url(api_url))
    host = parts.hostname or ""
    if host in SLACK_WEB_HOSTS and parts.path == "/api/":
        return urlunsplit((parts.scheme, "api." + parts.netloc, "/scim/v1/", "", ""))
    base = parts.path.removesuffix("api/") if parts.path.endswith("/api/") else parts.path
    return urlunsplit((parts.scheme, parts.netloc, base + "scim/v1/", "", ""))


def _url(name: str, value: str) -> str:
    if not value.startswith(("https://", "http://")):
        raise ConfigError(name, f"must be an http(s) URL, got {value!r}")
    return value if value.endswith("/") else value + "/"


def _port(value: str | None) -> int:
    if not value:
        return DEFAULT_PORT
    if not value.isdigit() or not 0 < int(value) < 65536:
        raise ConfigError("PORT", f"must be a port number from 1 to 65535, got {value!r}")
    return int(value)


def load_community_file(path: Path) -> CommunitySettings:
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ConfigError(str(path), "file not found") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(str(path), f"is not valid TOML ({exc})") from exc
    return parse_community(raw)


def parse_community(raw: Mapping[str, Any]) -> CommunitySettings:
    t = _Table(raw, "")
    defaults = CommunitySettings()
    t.only(
        "community",
        "channels",
        "moderators",
        "policies",
        "nudges",
        "onboarding",
        "appeals",
        "enforcement",
        "transparency",
    )

    community = t.table("community")
    community.only("name", "guidelines_url", "mode")
    channels = t.table("channels")
    channels.only("shameless_plugs", "general_discussions", "moderators")
    moderators = t.table("moderators")
    moderators.only("user_ids", "usergroup", "cache_seconds")
    nudges = t.table("nudges")
    nudges.only("rate_limit_hours", "exempt")
    onboarding = t.table("onboarding")
    onboarding.only("enabled", "sweep_hours")
    appeals = t.table("appeals")
    appeals.only("window_days", "channel")
    enforcement = t.table("enforcement")
    enforcement.only("backend", "sweep_seconds", "lift_lease_seconds")
    transparency = t.table("transparency")
    transparency.only("monthly_channel", "post_hour_utc")
    post_hour = transparency.integer("post_hour_utc", defaults.transparency.post_hour_utc, 0)
    if post_hour > 23:
        raise ConfigError(
            transparency.key("post_hour_utc"), f"must be an hour from 0 to 23, got {post_hour}"
        )
    backend = enforcement.string("backend", defaults.enforcement.backend)
    if backend not in ENFORCEMENT_BACKENDS:
        raise ConfigError(
            enforcement.key("backend"),
            f"must be one of {', '.join(ENFORCEMENT_BACKENDS)}; got {backend!r}",
        )

    mode_name = community.string("mode", defaults.mode.value)
    if mode_name not in {m.value for m in Mode}:
        raise ConfigError(
            community.key("mode"), f"must be one of enforce, shadow; got {mode_name!r}"
        )

    user_ids = moderators.string_list("user_ids", [])
    for uid in user_ids:
        if uid[:1] not in {"U", "W"} or not uid.isalnum():
            raise ConfigError(
                moderators.key("user_ids"), f"must hold Slack user ids like U012AB3CD; got {uid!r}"
            )
    usergroup = moderators.string("usergroup", "").lstrip("@") or None

    return CommunitySettings(
        name=community.string("name", defaults.name),
        guidelines_url=community.string("guidelines_url", defaults.guidelines_url),
        mode=Mode(mode_name),
        channels=ChannelSettings(
            shameless_plugs=_channel(
                channels, "shameless_plugs", defaults.channels.shameless_plugs
            ),
            general_discussions=tuple(
                _channel_name(channels.key("general_discussions"), c)
                for c in channels.string_list(
                    "general_discussions", list(defaults.channels.general_discussions)
                )
            ),
            moderators=_channel(channels, "moderators", defaults.channels.moderators),
        ),
        moderators=ModeratorSettings(
            user_ids=frozenset(user_ids),
            usergroup=usergroup,
            cache_seconds=moderators.integer("cache_seconds", 300, minimum=0),
        ),
        policies=_policies(t.table("policies")),
        nudges=NudgeSettings(
            rate_limit_hours=nudges.number("rate_limit_hours", 24.0, minimum=0.0),
            exempt_user_ids=_exemptions(nudges.table("exempt")),
        ),
        onboarding=OnboardingSettings(
            enabled=onboarding.boolean("enabled", defaults.onboarding.enabled),
            sweep_hours=onboarding.positive_number("sweep_hours", defaults.onboarding.sweep_hours),
        ),
        appeals=AppealSettings(
            window_days=appeals.integer("window_days", defaults.appeals.window_days, minimum=1),
            channel=_channel(appeals, "channel", "x") if appeals.string("channel", "") else None,
        ),
        enforcement=EnforcementSettings(
            backend=backend,
            sweep_seconds=enforcement.positive_number(
                "sweep_seconds", defaults.enforcement.sweep_seconds
            ),
            lift_lease_seconds=enforcement.positive_number(
                "lift_lease_seconds", defaults.enforcement.lift_lease_seconds
            ),
        ),
        transparency=TransparencySettings(
            monthly_channel=(
                _channel(transparency, "monthly_channel", "x")
                if transparency.string("monthly_channel", "")
                else None
            ),
            post_hour_utc=post_hour,
        ),
    )


def _channel(table: _Table, name: str, default: str) -> str:
    return _channel_name(table.key(name), table.string(name, default))


def _channel_name(key: str, value: str) -> str:
    name = value.lstrip("#")
    allowed = set("abcdefghijklmnopqrstuvwxyz0123456789-_")
    if not name or len(name) > 80 or not set(name) <= allowed:
        raise ConfigError(
            key,
            f"must be a Slack channel name (lower-case letters, digits, - and _), got {value!r}",
        )
    return name


def _policies(table: _Table) -> dict[PolicyId, PolicyThresholds]:
    known = [p.value for p in PolicyId]
    table.only(*known)
    result = dict(DEFAULT_THRESHOLDS)
    for policy in PolicyId:
        sub = table.table(policy.value)
        sub.only("enabled", "nudge_threshold", "flag_threshold")
        default = DEFAULT_THRESHOLDS[policy]
        nudge = sub.optional_probability("nudge_threshold", default.nudge_threshold)
        flag = sub.optional_probability("flag_threshold", default.flag_threshold)
        result[policy] = PolicyThresholds(
            enabled=sub.boolean("enabled", default.enabled),
            nudge_threshold=nudge,
            flag_threshold=flag,
        )
    return result


def _exemptions(table: _Table) -> dict[PolicyId, frozenset[str]]:
    table.only(*[p.value for p in PolicyId])
    exempt = {PolicyId(p): frozenset(table.string_list(p.value, [])) for p in PolicyId}
    return {policy: users for policy, users in exempt.items() if users}


class _Table:
    """Typed reads from one TOML table, each error naming the full key."""

    def __init__(self, data: Mapping[str, Any], prefix: str) -> None:
        self._data = data
        self._prefix = prefix

    def key(self, name: str) -> str:
        return f"{self._prefix}.{name}" if self._prefix else name

    def only(self, *allowed: str) -> None:
        for name in self._data:
            if name not in allowed:
                raise ConfigError(
                    self.key(name), f"unknown setting; allowed here: {', '.join(allowed)}"
                )

    def table(self, name: str) -> _Table:
        value = self._data.get(name, {})
        if not isinstance(value, Mapping):
            raise ConfigError(self.key(name), "must be a table")
        return _Table(value, self.key(name))

    def string(self, name: str, default: str) -> str:
        value = self._data.get(name, default)
        if not isinstance(value, str):
            raise ConfigError(self.key(name), f"must be a string, got {value!r}")
        return value

    def string_list(self, name: str, default: list[str]) -> list[str]:
        value = self._data.get(name, default)
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ConfigError(self.key(name), f"must be a list of strings, got {value!r}")
        return list(value)

    def boolean(self, name: str, default: bool) -> bool:
        value = self._data.get(name, default)
        if not isinstance(value, bool):
            raise ConfigError(self.key(name), f"must be true or false, got {value!r}")
        return value

    def integer(self, name: str, default: int, minimum: int) -> int:
        value = self._data.get(name, default)
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            raise ConfigError(self.key(name), f"must be a whole number >= {minimum}, got {value!r}")
        return value

    def number(self, name: str, default: float, minimum: float) -> float:
        value = self._data.get(name, default)
        if isinstance(value, bool) or not isinstance(value, int | float) or value < minimum:
            raise ConfigError(self.key(name), f"must be a number >= {minimum}, got {value!r}")
        return float(value)

    def positive_number(self, name: str, default: float) -> float:
        value = self._data.get(name, default)
        if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
            raise ConfigError(self.key(name), f"must be a number > 0, got {value!r}")
        return float(value)

    def optional_probability(self, name: str, default: float | None) -> float | None:
        """A threshold in [0, 1]; `false` switches that response off."""
        value = self._data.get(name, default)
        if value is None or value is False:
            return None
        if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
            raise ConfigError(
                self.key(name),
                f"must be a number from 0 to 1, or false to turn it off; got {value!r}",
            )
        return float(value)
