"""report.html: one self-contained page (styles inline, charts as data: URIs, no requests)."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from urllib.parse import quote

from bot.audit.runner import AuditFinding, AuditSummary
from bot.reports.charts import bar_chart, data_uri
from bot.settings import CommunitySettings
from moderation.ids import PolicyId

STYLE = """
body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#222}
table{border-collapse:collapse;margin:.5rem 0 1.5rem}td,th{border:1px solid #ccc;padding:.3rem .6rem;
text-align:left}td.n{text-align:right}img{max-width:100%}blockquote{margin:.2rem 0 .8rem;color:#444}
"""


def message_link(workspace_url: str, f: AuditFinding) -> str:
    base = workspace_url.rstrip("/")
    link = f"{base}/archives/{quote(f.channel_id)}/p{f.ts.replace('.', '')}"
    if f.thread_ts:
        link += f"?thread_ts={quote(f.thread_ts)}&cid={quote(f.channel_id)}"
    return link


def _table(headers: tuple[str, ...], rows: Sequence[tuple[str, ...]]) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{escape(c)}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><tr>{head}</tr>{body}</table>"


def render_html(
    summary: AuditSummary, community: CommunitySettings, workspace_url: str | None, source: str
) -> str:
    months = sorted(summary.by_month)
    chart = bar_chart(
        "Findings per month",
        months,
        [summary.by_month[m] for m in months],
        ylabel="findings",
    )
    parts = [
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>",
        "<title>conduct audit</title>",
        "<meta http-equiv='Content-Security-Policy' content=\"default-src 'none'; "
        "img-src data:; style-src 'unsafe-inline'\">",
        f"<style>{STYLE}</style></head><body>",
        "<h1>What conduct would have flagged</h1>",
        f"<p>Export <code>{escape(source)}</code>: {summary.day_files} day files, "
        f"{summary.messages_read} messages, {summary.messages_checked} members' messages checked, "
        f"{summary.findings} findings; {summary.users_checked} profiles checked, "
        f"{summary.accounts_to_fix} to fix; {len(summary.skipped)} files skipped.</p>",
        "<h2>Findings per policy</h2>",
        _table(
            ("policy", "findings"),
            [(p.value, str(n)) for p, n in summary.by_policy.most_common()],
        ),
        "<h2>Findings per channel</h2>",
        _table(
            ("channel", "findings"),
            [(c, str(n)) for c, n in summary.by_channel.most_common()],
        ),
        "<h2>Findings per month</h2>",
        f"<img alt='Findings per month' src='{data_uri(chart)}'>",
        "<h2>Top examples per policy</h2>",
    ]
    for policy in PolicyId:
        examples = summary.examples(policy)
        if not examples:
            continue
        parts.append(f"<h3>{escape(policy.value)}</h3>")
        for f in examples:
            where = f"#{f.channel} · score {f.score:.2f} · {f.response}"
            if workspace_url:
                where = f"<a href='{escape(message_link(workspace_url, f))}'>{escape(where)}</a>"
            else:
                where = escape(where)
            parts.append(f"<p>{where}</p><blockquote>{escape(f.excerpt)}</blockquote>")
    parts.append("<h2>Accounts to fix</h2>")
    parts.append(
        _table(
            ("user", "real name", "display name", "why"),
            [(a.user_id, a.real_name, a.display_name, a.reason) for a in summary.accounts],
        )
    )
    if summary.accounts_to_fix > len(summary.accounts):
        more = summary.accounts_to_fix - len(summary.accounts)
        parts.append(f"<p>…and {more} more in accounts.csv.</p>")
    if summary.skipped:
        parts.append("<h2>Skipped files</h2>")
        parts.append(_table(("file", "problem"), [(s.path, s.problem) for s in summary.skipped]))
    parts.append("<h2>Settings used</h2>")
    parts.append(f"<p>Mode: {escape(community.mode.value)}</p>")
    rows = []
    for policy, t in community.policies.items():
        rows.append(
            (
                policy.value,
                "yes" if t.enabled else "no",
                "off" if t.nudge_threshold is None else f"{t.nudge_threshold:.2f}",
                "off" if t.flag_threshold is None else f"{t.flag_threshold:.2f}",
            )
        )
    parts.append(_table(("policy", "enabled", "nudge at", "flag at"), rows))
    parts.append("</body></html>")
    return "\n".join(parts)
