"""The `conduct` command. Thin: parse arguments, call services, print for a person."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from bot.cli_insight import add_commands as add_insight_commands
from bot.cli_moderation import add_commands as add_moderation_commands
from bot.observability import configure_logging
from bot.settings import ConfigError, MissingCredentials, Settings, load_settings

if TYPE_CHECKING:
    from bot.transport import ConductWSGI

EXIT_USAGE = 2

MISSING_CREDENTIALS_HELP = (
    "Create the Slack app from manifest.yml (README, 'Create the Slack app'), then export "
    "SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET (HTTP mode) or SLACK_BOT_TOKEN and "
    "SLACK_APP_TOKEN (Socket Mode)."
)


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        # JSON lines unless on a terminal (LOG_FORMAT), LOG_LEVEL; alembic quiet below WARNING.
        configure_logging(level=logging.DEBUG if getattr(args, "verbose", False) else None)
        settings = load_settings(config_path=getattr(args, "config", None))
        code: int = args.handler(args, settings)
    except MissingCredentials as exc:
        print(
            f"conduct: cannot start: {', '.join(exc.names)} not set. {MISSING_CREDENTIALS_HELP}",
            file=sys.stderr,
        )
        return EXIT_USAGE
    except ConfigError as exc:
        print(f"conduct: configuration error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    return code


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="conduct", description="A Slack bot that helps a community keep its Code of Conduct."
    )
    parser.add_argument(
        "--config", type=_path, help="community rules file (default ./conduct.toml)"
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    run = commands.add_parser("run", help="start the bot")
    run.add_argument(
        "--socket-mode", action="store_true", help="use Socket Mode (needs SLACK_APP_TOKEN)"
    )
    run.add_argument("--port", type=int, help="HTTP port (default $PORT or 3000)")
    run.add_argument("--workers", type=int, default=1, help="HTTP worker processes (default 1)")
    run.add_argument("--threads", type=int, default=8, help="threads per HTTP worker (default 8)")
    run.add_argument(
        "--no-migrate",
        dest="migrate",
        action="store_false",
        help="do not bring the database schema up to date before starting",
    )
    run.set_defaults(handler=_run)

    check = commands.add_parser("check", help="show what the bot would decide about a message")
    check.add_argument("text", nargs="?", help="the message, as typed in Slack")
    check.add_argument("--channel", default="", help="channel name, e.g. general-discussions")
    check.add_argument("--real-name", help="check a profile's real name instead of a message")
    check.add_argument("--display-name", default="", help="with --real-name: the display name")
    check.set_defaults(handler=_check)

    classify = commands.add_parser(
        "classify", help="JSON Lines on stdin -> one verdict line per input on stdout"
    )
    classify.set_defaults(handler=_classify)

    db = commands.add_parser("db", help="database schema")
    db_commands = db.add_subparsers(dest="db_command", required=True, metavar="ACTION")
    upgrade = db_commands.add_parser("upgrade", help="apply migrations (default: to the latest)")
    upgrade.add_argument("revision", nargs="?", default="head")
    upgrade.set_defaults(handler=_db_upgrade)
    downgrade = db_commands.add_parser("downgrade", help="revert migrations to REVISION")
    downgrade.add_argument("revision")
    downgrade.set_defaults(handler=_db_downgrade)
    current = db_commands.add_parser("current", help="show the schema revision")
    current.set_defaults(handler=_db_current)

    names = commands.add_parser("names", help="the real-name check")
    names_commands = names.add_subparsers(dest="names_command", required=True, metavar="ACTION")
    sweep = names_commands.add_parser(
        "sweep",
        help="check every member's profile name now and send the notes due "
        "(nothing is sent in shadow mode)",
    )
    sweep.set_defaults(handler=_names_sweep)
    add_moderation_commands(commands)
    add_insight_commands(commands)
    return parser


def _path(value: str) -> Path:
    return Path(value)


def _run(args: argparse.Namespace, settings: Settings) -> int:
    socket_mode = bool(args.socket_mode or settings.slack.socket_mode)
    missing = settings.slack.missing_credentials()
    if args.socket_mode and not settings.slack.app_token:
        missing.append("SLACK_APP_TOKEN")
    if missing:
        raise MissingCredentials(missing)
    from bot.transport import DEFAULT_HEALTH_PORT, DEFAULT_SHUTDOWN_TIMEOUT

    shutdown_timeout = _env_seconds("SHUTDOWN_TIMEOUT", DEFAULT_SHUTDOWN_TIMEOUT)
    log = logging.getLogger("conduct")
    log.info("Slack Web API base URL: %s", settings.slack.api_url)
    if settings.community.enforcement.backend == "scim":
        log.info("Slack SCIM API base URL: %s", settings.slack.scim_url)
    if args.migrate:
        from migrations.runner import upgrade

        upgrade(settings.database_url)

    from bot.runtime import build_runtime
    from bot.transport import ConductWSGI, serve_http, serve_socket_mode

    if socket_mode:
        health_port = _env_port("HEALTH_PORT", DEFAULT_HEALTH_PORT)
        runtime = build_runtime(settings)
        log.info("starting in Socket Mode")
        runtime.start_background_jobs()
        try:
            serve_socket_mode(
                runtime.app,
                settings.slack.app_token or "",
                probes=ConductWSGI(
                    None,
                    runtime.health,
                    shutdown=runtime.shutdown,
                    metrics=runtime.services.metrics,
                ),
                host=settings.host,
                health_port=health_port,
                shutdown_timeout=shutdown_timeout,
            )
        finally:
            runtime.shutdown(0)
        if runtime.listener_executor.pending:
            # Cut off at the bound (logged by the runtime): do not wait for those threads.
            logging.shutdown()
            os._exit(0)
        return 0
    port = args.port or settings.port
    log.info(
        "serving Slack requests on %s:%d/slack/events (gunicorn, %d worker(s) x %d threads)",
        settings.host,
        port,
        args.workers,
        args.threads,
    )
    serve_http(
        lambda: _http_worker_app(settings),
        settings.host,
        port,
        workers=args.workers,
        threads=args.threads,
        shutdown_timeout=shutdown_timeout,
    )
    return 0


def _env_seconds(name: str, default: float) -> float:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if not 0 < value <= 3600:
        raise ConfigError(name, f"must be a number of seconds above 0 (at most 3600), got {raw!r}")
    return value


def _env_port(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    if not raw.isdigit() or not 0 < int(raw) < 65536:
        raise ConfigError(name, f"must be a port number from 1 to 65535, got {raw!r}")
    return int(raw)


def _http_worker_app(settings: Settings) -> ConductWSGI:
    """Built in each gunicorn worker after the fork, background jobs included; the worker's
    exit hook calls its `shutdown`."""
    from bot.runtime import build_runtime
    from bot.transport import ConductWSGI

    runtime = build_runtime(settings)
    runtime.start_background_jobs()
    return ConductWSGI(
        runtime.app, runtime.health, shutdown=runtime.shutdown, metrics=runtime.services.metrics
    )


def _check(args: argparse.Namespace, settings: Settings) -> int:
    from moderation.engine import Engine
    from moderation.message import Account, Message

    engine = Engine.load(settings.community.engine_config())
    if args.real_name is not None:
        verdict = engine.check_account(Account(args.real_name, args.display_name))
        subject = "this profile"
    elif args.text is not None:
        channel = args.channel.lstrip("#")
        verdict = engine.check(Message(text=args.text, channel=channel))
        subject = f"this message in #{channel}" if channel else "this message"
    else:
        print("conduct check: give a message text, or --real-name for a profile", file=sys.stderr)
        return EXIT_USAGE
    if not verdict.findings:
        print(f"No policy applies to {subject}.")
        return 0
    print(f"For {subject} the bot would: {verdict.response.value.replace('_', ' + ')}")
    for finding in verdict.findings:
        print(
            f"  {finding.policy.value:<18} score {finding.score:.2f}  {finding.response.value:<10} {finding.reason}"
        )
        print(f"  {'':<18} {finding.clause}")
    return 0


def _classify(args: argparse.Namespace, settings: Settings) -> int:
    from moderation.batch import classify_lines
    from moderation.engine import Engine

    engine = Engine.load(settings.community.engine_config())
    for line in classify_lines(engine, sys.stdin):
        sys.stdout.write(line + "\n")
        sys.stdout.flush()
    return 0


def _db_upgrade(args: argparse.Namespace, settings: Settings) -> int:
    from migrations.runner import current_revision, upgrade

    upgrade(settings.database_url, args.revision)
    print(f"database at revision {current_revision(settings.database_url)}")
    return 0


def _db_downgrade(args: argparse.Namespace, settings: Settings) -> int:
    from migrations.runner import current_revision, downgrade

    downgrade(settings.database_url, args.revision)
    print(f"database at revision {current_revision(settings.database_url) or 'base'}")
    return 0


def _names_sweep(args: argparse.Namespace, settings: Settings) -> int:
    if not settings.slack.bot_token:
        raise MissingCredentials(["SLACK_BOT_TOKEN"])
    from bot.runtime import build_runtime
    from bot.scheduler import run_names_sweep

    runtime = build_runtime(settings)
    counts = run_names_sweep(settings, runtime.services)
    shadow = settings.community.mode.value == "shadow"
    mode = " (shadow mode: nothing sent)" if shadow else ""
    print(
        f"{counts.members} members on {counts.pages} page(s): {counts.checked} checked, "
        f"{counts.skipped} skipped (bots, deactivated, exempt), {counts.needs_fix} need to fix "
        f"their name; {counts.notes_sent} notes and {counts.thanks_sent} thank-yous sent, "
        f"{counts.failed} not delivered{mode}."
    )
    if not counts.complete:
        print(
            "conduct names sweep: Slack stopped answering before the end; run it again later.",
            file=sys.stderr,
        )
        return 1
    return 0


def _db_current(args: argparse.Namespace, settings: Settings) -> int:
    from migrations.runner import current_revision, head_revision

    current = current_revision(settings.database_url)
    head = head_revision()
    state = "up to date" if current == head else f"behind (latest is {head})"
    print(f"database at revision {current or 'base'}: {state}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
