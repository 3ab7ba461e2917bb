"""findings.csv, accounts.csv and report.html from an audit's results."""

from __future__ import annotations

import csv
import re
from pathlib import Path

from bot.audit.html import render_html
from bot.audit.runner import AccountFinding, AuditFinding, AuditSummary
from bot.audit.writers import CsvSink
from bot.settings import CommunitySettings
from moderation.ids import PolicyId


def finding(
    score: float, text: str = "call Maria at +1 415 555 0132", ts: str = "1700000000.000100"
) -> AuditFinding:
    return AuditFinding(
        channel="random",
        channel_id="C0RANDOM",
        ts=ts,
        thread_ts=None,
        user_id="U0AUTHOR",
        policy=PolicyId.PRIVATE_INFO,
        score=score,
        response="nudge_flag",
        excerpt=text,
    )


def test_csv_files_hold_one_row_per_finding_and_account_and_defuse_formulas(
    tmp_path: Path,
) -> None:
    sink = CsvSink(tmp_path / "out")
    sink.finding(finding(0.91))
    sink.finding(finding(0.85, text='=HYPERLINK("http://x")'))
    sink.account(AccountFinding("U0ANON", "heroeshannibal", "", 0.88, "handle"))
    sink.close()
    with (tmp_path / "out" / "findings.csv").open(newline="") as f:
        rows = list(csv.DictReader(f))
    assert [r["score"] for r in rows] == ["0.9100", "0.8500"]
    assert rows[0]["policy"] == "private_info" and rows[0]["channel"] == "random"
    assert rows[1]["excerpt"].startswith("'=")
    with (tmp_path / "out" / "accounts.csv").open(newline="") as f:
        [account] = list(csv.DictReader(f))
    assert account == {
        "user_id": "U0ANON",
        "real_name": "heroeshannibal",
        "display_name": "",
        "score": "0.8800",
        "reason": "handle",
    }


def test_html_report_escapes_member_text_links_examples_and_loads_nothing() -> None:
    summary = AuditSummary()
    for i in range(8):
        summary.add(finding(0.80 + i / 100, ts=f"17000000{i:02d}.000100"))
    summary.add(finding(0.99, text="<script>alert(1)</script> & more"))
    html = render_html(summary, CommunitySettings(), "https://example.slack.com/", "export.zip")
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; more" in html
    assert "https://example.slack.com/archives/C0RANDOM/p1700000000000100" in html
    # only the top five examples of the policy, best first
    assert html.count("<blockquote>") == 5
    assert "score 0.99" in html.split("<blockquote>")[0]
    # self-contained: every image is inline, nothing is fetched
    assert re.findall(r"src='([a-z]+):", html) == ["data"]
    assert "nudge at" in html and "enforce" in html


def test_html_report_without_workspace_url_has_no_links() -> None:
    summary = AuditSummary()
    summary.add(finding(0.9))
    html = render_html(summary, CommunitySettings(), None, "export")
    assert "<a " not in html
