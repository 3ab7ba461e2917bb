"""Wiring for a real process: settings in, a ready Bolt app (and what it stands on) out."""

from __future__ import annotations

import atexit
from dataclasses import dataclass

from apscheduler.schedulers.background import BackgroundScheduler
from slack_bolt import App
from sqlalchemy import Engine

from bot.app import AppServices, build_app
from bot.clock import SystemClock
from bot.enforcement import build_backend
from bot.scheduler import build_scheduler, rebuild_ban_timers
from bot.services.channels import ChannelDirectory
from bot.services.moderators import ModeratorDirectory
from bot.settings import Settings
from bot.slack_client import build_web_client
from models import make_engine, make_session_factory
from moderation.engine import Engine as ModerationEngine


@dataclass(frozen=True)
class Runtime:
    app: App
    services: AppServices
    engine: Engine
    scheduler: BackgroundScheduler

    def start_background_jobs(self) -> None:
        """Start the scheduler, in the process that serves (after any fork), and stop it when
        that process exits."""
        self.scheduler.start()
        rebuild_ban_timers(self.services)
        atexit.register(self.stop_background_jobs)

    def stop_background_jobs(self) -> None:
        if self.scheduler.running:
            self.scheduler.shutdown(wait=False)


def build_runtime(settings: Settings) -> Runtime:
    engine = make_engine(settings.database_url)
    client = build_web_client(settings.slack.bot_token, settings.slack.api_url)
    services = AppServices(
        client=client,
        session_factory=make_session_factory(engine),
        engine=ModerationEngine.load(settings.community.engine_config()),
        directory=ChannelDirectory(client),
        moderators=ModeratorDirectory(client, settings.community.moderators),
        clock=SystemClock(),
    )
    backend = build_backend(settings, client, services.session_factory)
    return Runtime(
        app=build_app(settings, services, backend=backend),
        services=services,
        engine=engine,
        scheduler=build_scheduler(settings, services, backend),
    )
