"""The monthly transparency post: last month's Markdown summary with its chart, posted once
however many replicas run the job.

The month is claimed with a `processed_events` row (`transparency-report:YYYY-MM`): that
table's primary key makes the insert succeed in exactly one process, on SQLite and PostgreSQL
alike, with no schema change. The claim comes before the post, so a post that fails after the
claim is not retried by another replica (at most once); the failure is logged and
`conduct report` can produce the same summary by hand.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime

from slack_sdk.errors import SlackApiError

from bot.reports.queries import transparency_report
from bot.reports.render import decisions_chart, render_markdown
from bot.services.context import AppServices
from bot.services.events import claim_event

log = logging.getLogger(__name__)

CLAIM_KIND = "transparency.monthly"


@dataclass(frozen=True)
class MonthlyPost:
    month: str
    posted: bool
    reason: str = ""


def previous_month(now: datetime) -> tuple[datetime, datetime]:
    until = datetime(now.year, now.month, 1, tzinfo=UTC)
    since = datetime(until.year - (until.month == 1), (until.month - 2) % 12 + 1, 1, tzinfo=UTC)
    return since, until


def post_monthly_report(services: AppServices, channel: str, community: str) -> MonthlyPost:
    now = services.clock.now()
    since, until = previous_month(now)
    month = f"{since:%Y-%m}"
    if not claim_event(services.session_factory, f"transparency-report:{month}", CLAIM_KIND, now):
        return MonthlyPost(month, False, "already claimed by another process")
    with services.session_factory() as session:
        report = transparency_report(session, since, until)
    channel_id = services.directory.id_of(channel)
    if channel_id is None:
        log.error("transparency report: no channel named %s; not posted", channel)
        return MonthlyPost(month, False, "channel not found")
    try:
        services.client.files_upload_v2(
            channel=channel_id,
            file=decisions_chart(report),
            filename=f"moderation-{month}.png",
            title=f"Moderation decisions, {month}",
            alt_txt=f"Bar chart of moderation decisions by ladder level for {month}",
            initial_comment=render_markdown(report, community),
        )
    except SlackApiError as exc:
        log.error("transparency report for %s not posted: %s", month, exc.response.get("error"))
        return MonthlyPost(month, False, str(exc.response.get("error")))
    return MonthlyPost(month, True)
