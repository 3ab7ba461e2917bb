"""Wiring for a real process: settings in, a ready Bolt app (and what it stands on) out."""

from __future__ import annotations

from dataclasses import dataclass

from slack_bolt import App
from sqlalchemy import Engine

from bot.app import AppServices, build_app
from bot.clock import SystemClock
from bot.services.channels import ChannelDirectory
from bot.settings import Settings
from bot.slack_client import build_web_client
from models import make_engine, make_session_factory
from moderation.engine import Engine as ModerationEngine


@dataclass(frozen=True)
class Runtime:
    app: App
    services: AppServices
    engine: Engine


def build_runtime(settings: Settings) -> Runtime:
    engine = make_engine(settings.database_url)
    client = build_web_client(settings.slack.bot_token, settings.slack.api_url)
    services = AppServices(
        client=client,
        session_factory=make_session_factory(engine),
        engine=ModerationEngine.load(settings.community.engine_config()),
        directory=ChannelDirectory(client),
        clock=SystemClock(),
    )
    return Runtime(app=build_app(settings, services), services=services, engine=engine)
