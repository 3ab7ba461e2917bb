"""`conduct cases …` and `conduct audit-log`: the case queue and the audit trail from a
terminal, for moderators and scripts. Reads the database only; Slack is never called."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta

from sqlalchemy.orm import Session

from bot.clock import SystemClock
from bot.services.case_queries import (
    audit_csv_lines,
    audit_events,
    case_audit_trail,
    case_details,
    list_cases,
)
from bot.settings import Settings
from models import CaseStatus, make_engine, make_session_factory
from moderation.ladder import LEVEL_NAMES
from moderation.text import excerpt

EXIT_NOT_FOUND = 1


def add_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    cases = commands.add_parser("cases", help="the moderators' case queue")
    actions = cases.add_subparsers(dest="cases_command", required=True, metavar="ACTION")
    listing = actions.add_parser("list", help="cases, oldest first")
    listing.add_argument(
        "--status",
        action="append",
        choices=[s.value for s in CaseStatus],
        help="only cases in this status (repeatable; default: all)",
    )
    listing.add_argument("--limit", type=int, default=200, help="at most this many (default 200)")
    listing.set_defaults(handler=cases_list)
    show = actions.add_parser("show", help="one case: reports, detections, decisions, audit")
    show.add_argument("case_id", type=int, metavar="N")
    show.set_defaults(handler=cases_show)

    audit = commands.add_parser("audit-log", help="the append-only audit log")
    audit.add_argument("--since", type=_date, help="from this day (YYYY-MM-DD, UTC)")
    audit.add_argument("--until", type=_date, help="up to, not including, this day")
    audit.add_argument("--format", choices=("csv", "text"), default="text")
    audit.set_defaults(handler=audit_log)


def _date(value: str) -> datetime:
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected a date like 2026-11-01, got {value!r}"
        ) from None
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


@contextmanager
def _session(settings: Settings) -> Iterator[Session]:
    engine = make_engine(settings.database_url)
    try:
        with make_session_factory(engine)() as session:
            yield session
    finally:
        engine.dispose()


def _age(opened: datetime, now: datetime) -> str:
    delta = now - opened
    if delta < timedelta(hours=1):
        return f"{int(delta.total_seconds() // 60)}m"
    if delta < timedelta(days=2):
        return f"{int(delta.total_seconds() // 3600)}h"
    return f"{delta.days}d"


def cases_list(args: argparse.Namespace, settings: Settings) -> int:
    now = SystemClock().now()
    statuses = [CaseStatus(s) for s in args.status] if args.status else None
    with _session(settings) as session:
        rows = list_cases(session, statuses, limit=args.limit)
    if not rows:
        print("No cases.")
        return 0
    print(
        f"{'case':>6}  {'status':<9} {'age':>5}  {'policy':<18} {'member':<12} {'assignee':<12} sources"
    )
    for row in rows:
        print(
            f"{row.id:>6}  {row.status.value:<9} {_age(row.opened_at, now):>5}  "
            f"{row.policy:<18} {row.subject_user_id:<12} {row.assignee_user_id or '-':<12} "
            f"{row.reports} report(s), {row.detections} detection(s)"
        )
    return 0


def cases_show(args: argparse.Namespace, settings: Settings) -> int:
    with _session(settings) as session:
        case = case_details(session, args.case_id)
        if case is None:
            print(f"conduct cases show: no case #{args.case_id}", file=sys.stderr)
            return EXIT_NOT_FOUND
        out = [
            f"Case #{case.id} · {case.policy.value if case.policy else 'report'} · {case.status.value}",
            f"  member    {case.subject.slack_user_id}",
            f"  opened    {case.opened_at:%Y-%m-%d %H:%M} UTC",
            f"  assignee  {case.assignee.slack_user_id if case.assignee else '-'}",
        ]
        if case.channel_id:
            out.append(f"  message   {case.channel_id} {case.message_ts}")
        for d in sorted(case.detections, key=lambda d: d.id):
            disputed = "  (member disputed)" if d.false_positive_at else ""
            out.append(
                f"  detection {d.policy.value} score {d.score:.2f} {d.response.value}{disputed}"
            )
            if d.excerpt:
                out.append(f"            “{excerpt(d.excerpt, 160)}”")
        for r in sorted(case.reports, key=lambda r: r.id):
            named = ", ".join(m.slack_user_id for m in r.subjects)
            out.append(
                f"  report    #{r.id} by {r.reporter.slack_user_id} about {named} "
                f"({r.source.value}, {r.created_at:%Y-%m-%d %H:%M} UTC)"
            )
            out.append(f"            “{excerpt(r.description, 160)}”")
        for a in sorted(case.actions, key=lambda a: a.id):
            until = f" until {a.expires_at:%Y-%m-%d %H:%M} UTC" if a.expires_at else ""
            out.append(
                f"  decision  {LEVEL_NAMES[a.level]}{until} by {a.decided_by.slack_user_id} "
                f"at {a.decided_at:%Y-%m-%d %H:%M} UTC · {a.status.value}"
            )
            for appeal in sorted(a.appeals, key=lambda p: p.id):
                out.append(f"  appeal    #{appeal.id} {appeal.status.value}")
        if case.dismiss_reason:
            out.append(f"  dismissed “{excerpt(case.dismiss_reason, 160)}”")
        for note in sorted(case.notes, key=lambda n: n.id):
            out.append(f"  note      {note.author_slack_id}: “{excerpt(note.text, 160)}”")
        out.append("  audit")
        for event in case_audit_trail(session, case.id):
            out.append(
                f"    {event.occurred_at:%Y-%m-%d %H:%M:%S} {event.action:<24} "
                f"{event.actor_slack_id or 'conduct'}"
            )
    print("\n".join(out))
    return 0


def audit_log(args: argparse.Namespace, settings: Settings) -> int:
    with _session(settings) as session:
        events = audit_events(session, args.since, args.until)
        if args.format == "csv":
            for chunk in audit_csv_lines(events):
                sys.stdout.write(chunk)
            return 0
        for event in events:
            case = f"case #{event.case_id}" if event.case_id else ""
            print(
                f"{event.occurred_at:%Y-%m-%d %H:%M:%S}  {event.action:<24} "
                f"{event.actor_slack_id or 'conduct':<12} {event.subject_slack_id or '':<12} {case}"
            )
    return 0
