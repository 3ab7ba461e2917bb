"""The transparency report as Markdown (pasteable into Slack or a blog), CSV and HTML.

Every count goes through `shown`, so a count under 5 reads "<5"; rates are given only when
the count they are made of is shown in full."""

from __future__ import annotations

import csv
import io
from datetime import date
from html import escape
from itertools import groupby
from operator import itemgetter

from bot.reports.charts import bar_chart, data_uri
from bot.reports.queries import TransparencyReport
from bot.reports.stats import SUPPRESS_BELOW, hours, shown
from moderation.ids import ActionLevel
from moderation.ladder import LEVEL_NAMES


def period(report: TransparencyReport) -> str:
    last = report.until.date().toordinal() - 1
    return f"{report.since:%Y-%m-%d} to {date.fromordinal(last):%Y-%m-%d}"


def _rate(part: int, whole: int) -> str:
    if whole == 0:
        return "n/a"
    if part < SUPPRESS_BELOW or whole < SUPPRESS_BELOW:
        return "not shown (fewer than 5)"
    return f"{100 * part / whole:.0f}%"


def rows(report: TransparencyReport) -> list[tuple[str, str, str]]:
    """(section, item, value): the report's content, shared by every format."""
    out: list[tuple[str, str, str]] = [
        ("Reports", "reports received", shown(report.reports_received))
    ]
    out += [("Reports", f"about {p}", shown(n)) for p, n in report.reports_by_policy.items()]
    out += [
        ("Cases", "opened", shown(report.cases_opened)),
        ("Cases", "resolved with a decision", shown(report.cases_resolved)),
        ("Cases", "dismissed", shown(report.cases_dismissed)),
    ]
    for name, timing in (
        ("report to first moderator response", report.to_first_response),
        ("report to decision", report.to_decision),
    ):
        if timing.cases >= SUPPRESS_BELOW:
            out.append(("Response times", f"{name}, median", hours(timing.median)))
            out.append(("Response times", f"{name}, 90th percentile", hours(timing.p90)))
        else:
            out.append(("Response times", name, "not shown (fewer than 5 cases)"))
    out += [
        ("Decisions", LEVEL_NAMES[ActionLevel(level)], shown(n))
        for level, n in report.decisions_by_level.items()
    ]
    out += [("Temporary bans", length, shown(n)) for length, n in report.temporary_ban_days.items()]
    out += [
        ("Appeals", "filed", shown(report.appeals_filed)),
        ("Appeals", "upheld (decision stands)", shown(report.appeals_upheld)),
        ("Appeals", "overturned", shown(report.appeals_overturned)),
    ]
    for n in report.nudges:
        out.append(("Nudges", f"{n.policy}: sent", shown(n.sent)))
        out.append(("Nudges", f"{n.policy}: marked as a mistake", _rate(n.disputed, n.sent)))
        out.append(
            (
                "Nudges",
                f"{n.policy}: same again within 30 days",
                _rate(n.repeated_within_30_days, n.sent),
            )
        )
    return out


def sections(report: TransparencyReport) -> list[tuple[str, list[tuple[str, str]]]]:
    """`rows` grouped by section, in order: (section, [(item, value), ...])."""
    return [
        (sec, [(item, value) for _, item, value in group])
        for sec, group in groupby(rows(report), key=itemgetter(0))
    ]


def render_markdown(report: TransparencyReport, community: str = "") -> str:
    title = f"*{community + ' · ' if community else ''}Moderation report, {period(report)}*"
    lines = [title]
    for sec, items in sections(report):
        lines += ["", f"*{sec}*", *(f"• {item}: {value}" for item, value in items)]
    lines += ["", f'_Counts under {SUPPRESS_BELOW} are shown as "<{SUPPRESS_BELOW}"._']
    return "\n".join(lines) + "\n"


def render_csv(report: TransparencyReport) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(("period", "section", "item", "value"))
    for row in rows(report):
        writer.writerow((period(report), *row))
    return out.getvalue()


def _chart_values(counts: dict[str, int]) -> tuple[list[str], list[float], list[str]]:
    """Suppressed counts are drawn as zero-height bars labelled "<5"."""
    labels = list(counts)
    values = [float(n) if n >= SUPPRESS_BELOW else 0.0 for n in counts.values()]
    return labels, values, [shown(n) for n in counts.values()]


def decisions_chart(report: TransparencyReport) -> bytes:
    levels = {LEVEL_NAMES[ActionLevel(k)]: v for k, v in report.decisions_by_level.items()}
    labels, values, text = _chart_values(levels)
    return bar_chart(
        f"Decisions, {period(report)}", labels, values, ylabel="decisions", value_labels=text
    )


def charts(report: TransparencyReport) -> list[tuple[str, bytes]]:
    out = [("Decisions by ladder level", decisions_chart(report))]
    reports = report.reports_by_policy or {}
    labels, values, text = _chart_values(reports)
    out.append(
        (
            "Reports by policy",
            bar_chart("Reports by policy", labels, values, ylabel="reports", value_labels=text),
        )
    )
    nudges = {n.policy: n.sent for n in report.nudges}
    labels, values, text = _chart_values(nudges)
    out.append(
        (
            "Nudges by policy",
            bar_chart("Nudges by policy", labels, values, ylabel="nudges", value_labels=text),
        )
    )
    return out


def render_html(report: TransparencyReport, community: str = "") -> str:
    parts = [
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>",
        f"<title>Moderation report {escape(period(report))}</title>",
        "<meta http-equiv='Content-Security-Policy' content=\"default-src 'none'; "
        "img-src data:; style-src 'unsafe-inline'\">",
        "<style>body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;"
        "padding:0 1rem}table{border-collapse:collapse}td,th{border:1px solid #ccc;"
        "padding:.3rem .6rem;text-align:left}img{max-width:100%}</style></head><body>",
        f"<h1>{escape(community + ' · ' if community else '')}Moderation report</h1>",
        f"<p>{escape(period(report))}. Aggregates only; counts under {SUPPRESS_BELOW} are "
        f"shown as &lt;{SUPPRESS_BELOW}.</p>",
    ]
    for title, png in charts(report):
        parts.append(f"<figure><img alt='{escape(title)}' src='{data_uri(png)}'></figure>")
    for sec, items in sections(report):
        parts.append(f"<h2>{escape(sec)}</h2><table>")
        parts += [
            f"<tr><td>{escape(item)}</td><td>{escape(value)}</td></tr>" for item, value in items
        ]
        parts.append("</table>")
    parts.append("</body></html>")
    return "\n".join(parts)
