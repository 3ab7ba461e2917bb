"""`conduct audit EXPORT` (what the engine would have flagged in a Slack export; no database)
and `conduct report` (the transparency report, from the database)."""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path

from bot.settings import CommunitySettings, Settings
from moderation.ids import PolicyId

EXIT_EXPORT_ERROR = 1


def add_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    audit = commands.add_parser(
        "audit", help="what the bot would have flagged in a Slack export (.zip or folder)"
    )
    audit.add_argument("export", type=Path, metavar="EXPORT")
    audit.add_argument("--out", type=Path, default=Path("conduct-audit"), help="output folder")
    audit.add_argument("--since", type=_day, help="from this day (YYYY-MM-DD)")
    audit.add_argument("--until", type=_day, help="up to, not including, this day")
    audit.add_argument("--channels", type=_names, help="only these channels: a,b")
    audit.add_argument("--policies", type=_policies, help="only these policies: p,q")
    audit.add_argument(
        "--workspace-url", help="e.g. https://example.slack.com, to link examples to Slack"
    )
    audit.set_defaults(handler=audit_export)

    report = commands.add_parser("report", help="the transparency report for a period")
    report.add_argument("--since", type=_day, required=True, help="from this day (YYYY-MM-DD)")
    report.add_argument("--until", type=_day, required=True, help="up to, not including")
    report.add_argument("--format", choices=("html", "md", "csv"), default="md")
    report.add_argument("--out", type=Path, help="write here instead of stdout")
    report.set_defaults(handler=transparency)


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected a date like 2026-11-01, got {value!r}"
        ) from None


def _names(value: str) -> frozenset[str]:
    return frozenset(n.strip().lstrip("#") for n in value.split(",") if n.strip())


def _policies(value: str) -> frozenset[PolicyId]:
    known = {p.value for p in PolicyId}
    names = _names(value)
    unknown = names - known
    if unknown:
        raise argparse.ArgumentTypeError(
            f"unknown policy {', '.join(sorted(unknown))}; known: {', '.join(sorted(known))}"
        )
    return frozenset(PolicyId(n) for n in names)


def _only(community: CommunitySettings, policies: frozenset[PolicyId] | None) -> CommunitySettings:
    """Turn off the policies not asked for, so the engine does not spend time on them."""
    if policies is None:
        return community
    return replace(
        community,
        policies={
            p: t if p in policies else replace(t, enabled=False)
            for p, t in community.policies.items()
        },
    )


def audit_export(args: argparse.Namespace, settings: Settings) -> int:
    from bot.audit.export import ExportError, SkippedFile, SlackExport
    from bot.audit.html import render_html
    from bot.audit.progress import terminal_progress
    from bot.audit.runner import AuditOptions, run_audit
    from bot.audit.writers import CsvSink
    from moderation.engine import Engine

    community = _only(settings.community, args.policies)
    engine = Engine.load(community.engine_config())
    options = AuditOptions(args.since, args.until, args.channels, args.policies)

    def report_skip(skipped: SkippedFile) -> None:
        print(f"conduct audit: skipped {skipped.path}: {skipped.problem}", file=sys.stderr)

    try:
        with SlackExport(args.export) as export:
            sink = CsvSink(args.out)
            try:
                with terminal_progress() as progress:
                    summary = run_audit(
                        export,
                        engine,
                        options,
                        sink,
                        on_skip=report_skip,
                        progress_factory=progress,
                    )
            finally:
                sink.close()
    except ExportError as exc:
        print(f"conduct audit: {exc}", file=sys.stderr)
        return EXIT_EXPORT_ERROR
    html_path = args.out / "report.html"
    html_path.write_text(
        render_html(summary, community, args.workspace_url, str(args.export)), encoding="utf-8"
    )
    rate = summary.messages_checked / summary.seconds if summary.seconds else 0.0
    lines = [
        f"Audited {summary.day_files} day files: {summary.messages_read} messages, "
        f"{summary.messages_checked} members' messages checked ({rate:,.0f}/s).",
        f"Findings: {summary.findings}"
        + "".join(f"\n  {p.value:<18} {n}" for p, n in summary.by_policy.most_common()),
        f"Profiles: {summary.users_checked} checked, {summary.accounts_to_fix} to fix.",
        f"Skipped: {len(summary.skipped)} file(s).",
        f"Wrote {args.out / 'findings.csv'}, {args.out / 'accounts.csv'}, {html_path}",
    ]
    print("\n".join(lines))
    return 0


def transparency(args: argparse.Namespace, settings: Settings) -> int:
    from bot.cli_moderation import _session
    from bot.reports.queries import transparency_report
    from bot.reports.render import render_csv, render_html, render_markdown

    since = datetime(args.since.year, args.since.month, args.since.day, tzinfo=UTC)
    until = datetime(args.until.year, args.until.month, args.until.day, tzinfo=UTC)
    if until <= since:
        print("conduct report: --until must be after --since", file=sys.stderr)
        return 2
    with _session(settings) as session:
        report = transparency_report(session, since, until)
    name = settings.community.name
    text = {
        "md": lambda: render_markdown(report, name),
        "csv": lambda: render_csv(report),
        "html": lambda: render_html(report, name),
    }[args.format]()
    if args.out:
        args.out.write_text(text, encoding="utf-8")
        print(f"Wrote {args.out}")
    else:
        sys.stdout.write(text)
    return 0
