"""Every Slack Web API client the bot builds uses SLACK_API_URL (GovSlack, emulators)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from bot.enforcement import ChannelsBackend, build_backend
from bot.runtime import build_runtime
from bot.settings import CommunitySettings, EnforcementSettings, Settings, SlackSettings

GOV = "https://slack-gov.com/api/"


def test_bot_and_admin_clients_use_the_configured_base_url(tmp_path: Path) -> None:
    settings = Settings(
        slack=SlackSettings(
            bot_token="xoxb-1",
            signing_secret="s",
            app_token=None,
            api_url=GOV,
            admin_user_token="xoxp-1",
        ),
        community=replace(CommunitySettings(), enforcement=EnforcementSettings(backend="channels")),
        database_url=f"sqlite:///{tmp_path / 'c.db'}",
    )
    runtime = build_runtime(settings)
    try:
        assert runtime.services.client.base_url == GOV
        assert runtime.app.client.base_url == GOV
        backend = build_backend(settings, runtime.services.client, runtime.services.session_factory)
        assert isinstance(backend, ChannelsBackend)
        admin = backend._admin_client  # the client under test
        assert admin is not None and admin.base_url == GOV
    finally:
        runtime.shutdown(0)
