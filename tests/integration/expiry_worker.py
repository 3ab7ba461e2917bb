"""A replica's ban sweep in a process of its own, for the multi-process expiry tests.

    python -m tests.integration.expiry_worker DB_URL API_URL BOT_TOKEN SECONDS LEASE

Runs `lift_due_bans` (what each `conduct run` process's scheduler runs) in a loop for
SECONDS, with the `channels` backend, then prints what it lifted as JSON.
"""

from __future__ import annotations

import json
import sys
import time
from dataclasses import replace
from datetime import timedelta

from bot.clock import SystemClock
from bot.enforcement import build_backend
from bot.services.channels import ChannelDirectory
from bot.services.context import AppServices
from bot.services.expiry import lift_due_bans
from bot.services.moderators import ModeratorDirectory
from bot.settings import (
    ChannelSettings,
    CommunitySettings,
    EnforcementSettings,
    ModeratorSettings,
    Settings,
    SlackSettings,
)
from bot.slack_client import build_web_client
from models import make_engine, make_session_factory
from moderation.engine import Engine


def main(argv: list[str]) -> int:
    db_url, api_url, token, seconds, lease = (
        argv[0],
        argv[1],
        argv[2],
        float(argv[3]),
        float(argv[4]),
    )
    community = replace(
        CommunitySettings(),
        channels=ChannelSettings(moderators="moderators"),
        moderators=ModeratorSettings(usergroup="moderators"),
        enforcement=EnforcementSettings(backend="channels", lift_lease_seconds=lease),
    )
    settings = Settings(
        slack=SlackSettings(
            bot_token=token, signing_secret="unused", app_token=None, api_url=api_url
        ),
        community=community,
        database_url=db_url,
    )
    engine = make_engine(db_url)
    client = build_web_client(token, api_url, timeout=10)
    session_factory = make_session_factory(engine)
    services = AppServices(
        client=client,
        session_factory=session_factory,
        engine=Engine(community.engine_config(), None),
        directory=ChannelDirectory(client),
        moderators=ModeratorDirectory(client, community.moderators),
        clock=SystemClock(),
    )
    backend = build_backend(settings, client, session_factory)
    sys.stdout.write("ready\n")
    sys.stdout.flush()
    lifted = finished = 0
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        counts = lift_due_bans(services, backend, community, timedelta(seconds=lease))
        lifted += counts.lifted
        finished += counts.finished_after_interruption
        time.sleep(0.05)
    sys.stdout.write(json.dumps({"lifted": lifted, "finished": finished}) + "\n")
    engine.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
