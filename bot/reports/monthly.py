"""The monthly transparency post: last month's Markdown summary with its chart, posted once
however many replicas run the job.

The job runs daily on the first seven days of a month. Each day's attempt is claimed with a
`processed_events` row (`transparency-report:YYYY-MM:YYYY-MM-DD`), whose primary key lets
exactly one replica try that day; a successful post is recorded in the audit log
(`transparency.posted`) and ends the month. So a post that failed, or a process killed in the
middle of posting, is tried again the next day, up to the 7th, by whichever replica claims it.
(A post that reached Slack but whose audit row was lost would be repeated once: the audit row
is written right after the post.)
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime

from slack_sdk.errors import SlackApiError
from sqlalchemy import select

from bot.reports.queries import transparency_report
from bot.reports.render import decisions_chart, render_markdown
from bot.services.audit import record
from bot.services.context import AppServices
from bot.services.events import claim_event
from models import AuditEvent

log = logging.getLogger(__name__)

CLAIM_KIND = "transparency.monthly"
POSTED = "transparency.posted"


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
    if already_posted(services, month):
        return MonthlyPost(month, False, "already posted this month")
    attempt = f"transparency-report:{month}:{now:%Y-%m-%d}"
    if not claim_event(services.session_factory, attempt, CLAIM_KIND, now):
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
        log.error(
            "transparency report for %s not posted (tried again tomorrow until the 7th): %s",
            month,
            exc.response.get("error"),
        )
        return MonthlyPost(month, False, str(exc.response.get("error")))
    with services.session_factory.begin() as session:
        record(session, POSTED, services.clock.now(), month=month, channel_id=channel_id)
    return MonthlyPost(month, True)


def already_posted(services: AppServices, month: str) -> bool:
    with services.session_factory() as session:
        posted = session.scalars(select(AuditEvent.details).where(AuditEvent.action == POSTED))
        return any(details.get("month") == month for details in posted)
