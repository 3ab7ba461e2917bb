"""No Docker engine runs here, so the deployment files are checked against the app itself:
service names, environment variables, commands and the Slack request path."""

from __future__ import annotations

import re
import shlex
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.cli import _parser
from bot.settings import ENVIRONMENT_VARIABLES
from bot.transport import SLACK_PATH

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    data = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    assert isinstance(data, dict)
    return data


def test_compose_has_database_one_shot_migration_and_bot(compose: dict[str, Any]) -> None:
    services = compose["services"]
    assert set(services) == {"db", "migrate", "bot"}
    assert services["migrate"]["depends_on"]["db"]["condition"] == "service_healthy"
    assert services["migrate"]["restart"] == "no"
    assert services["bot"]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"


def test_compose_commands_are_valid_conduct_invocations(compose: dict[str, Any]) -> None:
    parser = _parser()
    migrate = compose["services"]["migrate"]["command"]
    bot = compose["services"]["bot"]["command"]
    assert migrate[:3] == ["conduct", "db", "upgrade"]
    assert parser.parse_args(migrate[1:]).db_command == "upgrade"
    args = parser.parse_args(bot[1:])
    assert args.command == "run"
    # The one-shot step migrated already; replicas must not race to migrate.
    assert args.migrate is False


def test_compose_environment_names_are_ones_the_bot_reads(compose: dict[str, Any]) -> None:
    for name in ("migrate", "bot"):
        env = compose["services"][name]["environment"]
        unknown = set(env) - ENVIRONMENT_VARIABLES
        assert not unknown, f"{name} sets variables the bot never reads: {unknown}"
    bot_env = compose["services"]["bot"]["environment"]
    assert {"SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "DATABASE_URL"} <= set(bot_env)


def test_compose_database_url_points_at_its_postgres(compose: dict[str, Any]) -> None:
    db = compose["services"]["db"]["environment"]
    expected = (
        f"postgresql+psycopg://{db['POSTGRES_USER']}:{db['POSTGRES_PASSWORD']}"
        f"@db:5432/{db['POSTGRES_DB']}"
    )
    for name in ("migrate", "bot"):
        assert compose["services"][name]["environment"]["DATABASE_URL"] == expected


def test_compose_publishes_the_port_the_bot_listens_on(compose: dict[str, Any]) -> None:
    bot = compose["services"]["bot"]
    port = bot["environment"]["PORT"]
    assert f"{port}:{port}" in bot["ports"]


def test_dockerfile_command_matches_compose(compose: dict[str, Any]) -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    match = re.search(r"^CMD (\[.*\])$", dockerfile, re.MULTILINE)
    assert match is not None
    assert yaml.safe_load(match.group(1)) == compose["services"]["bot"]["command"]
    for package in ("bot", "moderation", "models", "migrations"):
        assert f"COPY {package} ./{package}" in dockerfile


def test_every_event_a_listener_waits_for_is_subscribed_in_the_manifest() -> None:
    manifest = yaml.safe_load((ROOT / "manifest.yml").read_text())
    subscribed = set(manifest["settings"]["event_subscriptions"]["bot_events"])
    listened = set()
    for path in (ROOT / "bot" / "listeners").glob("*.py"):
        listened |= set(re.findall(r'@app\.event\("([a-z_]+)"', path.read_text()))
    assert "member_joined_channel" in listened
    # `message` arrives as message.<channel type>; every other event by its own name
    assert {("message.channels" if e == "message" else e) for e in listened} <= subscribed


def test_manifest_routes_everything_to_the_one_slack_path() -> None:
    manifest = yaml.safe_load((ROOT / "manifest.yml").read_text())
    settings = manifest["settings"]
    urls = [
        settings["event_subscriptions"]["request_url"],
        settings["interactivity"]["request_url"],
        *(c["url"] for c in manifest["features"]["slash_commands"]),
    ]
    assert all(url.endswith(SLACK_PATH) for url in urls)
    assert {"message.channels", "message.groups"} <= set(
        settings["event_subscriptions"]["bot_events"]
    )
    assert [c["command"] for c in manifest["features"]["slash_commands"]] == ["/report"]
    assert manifest["features"]["shortcuts"][0]["callback_id"] == "report_message"


def test_readme_commands_are_the_ones_ci_runs() -> None:
    readme = (ROOT / "README.md").read_text()
    ci = (ROOT / ".ci" / "run").read_text()
    test_command = next(line for line in ci.splitlines() if line.startswith("python3 -m venv"))
    assert test_command in readme
    assert shlex.split(test_command)[-1] == ".venv/bin/pytest"
