"""What every use case may need from the outside world, injected once: Slack's Web API
client, the database, the moderation engine, caches over Slack, and the clock."""

from __future__ import annotations

from dataclasses import dataclass, field

from slack_sdk import WebClient
from sqlalchemy.orm import Session, sessionmaker

from bot.clock import Clock, SystemClock
from bot.observability import Metrics
from bot.services.ban_timers import BanTimers
from bot.services.channels import ChannelDirectory
from bot.services.moderators import ModeratorDirectory
from bot.services.slack_lookups import SlackLookups
from moderation.engine import Engine


@dataclass(frozen=True)
class AppServices:
    """The app's dependencies. Side effects on Slack go through `client` only."""

    client: WebClient
    session_factory: sessionmaker[Session]
    engine: Engine
    directory: ChannelDirectory
    moderators: ModeratorDirectory
    clock: Clock = field(default_factory=SystemClock)
    timers: BanTimers = field(default_factory=BanTimers)
    metrics: Metrics = field(default_factory=Metrics)
    #: caches over `client` (thread authors, the workspace's URL), made with the services
    lookups: SlackLookups = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "lookups", SlackLookups(self.client))
