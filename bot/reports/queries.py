"""The transparency report's numbers, from the database: aggregates only, no names or ids."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.reports.stats import percentile
from models import (
    ActionLevel,
    Appeal,
    AppealStatus,
    Case,
    CaseStatus,
    Detection,
    EnforcementAction,
    Nudge,
    NudgeStatus,
    Report,
)

REPEAT_WINDOW = timedelta(days=30)
UNCLASSIFIED = "not classified"


@dataclass(frozen=True)
class Timing:
    """Seconds from a report to a moderator's step, over the cases reported in the period."""

    cases: int
    median: float | None
    p90: float | None


@dataclass(frozen=True)
class NudgeStats:
    policy: str
    sent: int
    disputed: int
    repeated_within_30_days: int


@dataclass(frozen=True)
class TransparencyReport:
    since: datetime
    until: datetime
    reports_by_policy: dict[str, int]
    cases_opened: int
    cases_resolved: int
    cases_dismissed: int
    to_first_response: Timing
    to_decision: Timing
    decisions_by_level: dict[str, int]
    temporary_ban_days: dict[str, int]
    appeals_filed: int
    appeals_upheld: int
    appeals_overturned: int
    nudges: list[NudgeStats]

    @property
    def reports_received(self) -> int:
        return sum(self.reports_by_policy.values())


def transparency_report(session: Session, since: datetime, until: datetime) -> TransparencyReport:
    """Everything that happened in [since, until)."""
    reports = session.execute(
        select(Case.policy, func.count(Report.id))
        .select_from(Report)
        .outerjoin(Case, Report.case_id == Case.id)
        .where(Report.created_at >= since, Report.created_at < until)
        .group_by(Case.policy)
    ).all()
    by_policy: Counter[str] = Counter()
    for policy, count in reports:
        by_policy[policy.value if policy else UNCLASSIFIED] += count

    opened = int(
        session.scalar(
            select(func.count(Case.id)).where(Case.opened_at >= since, Case.opened_at < until)
        )
        or 0
    )
    closed = dict(
        session.execute(
            select(Case.status, func.count(Case.id))
            .where(Case.resolved_at >= since, Case.resolved_at < until)
            .group_by(Case.status)
        ).all()
    )
    levels = dict(
        session.execute(
            select(EnforcementAction.level, func.count(EnforcementAction.id))
            .where(EnforcementAction.decided_at >= since, EnforcementAction.decided_at < until)
            .group_by(EnforcementAction.level)
        ).all()
    )
    return TransparencyReport(
        since=since,
        until=until,
        reports_by_policy=dict(by_policy.most_common()),
        cases_opened=opened,
        cases_resolved=int(closed.get(CaseStatus.RESOLVED, 0)),
        cases_dismissed=int(closed.get(CaseStatus.DISMISSED, 0)),
        **_timings(session, since, until),
        decisions_by_level={level.value: int(levels.get(level, 0)) for level in ActionLevel},
        temporary_ban_days=_ban_days(session, since, until),
        appeals_filed=int(
            session.scalar(
                select(func.count(Appeal.id)).where(
                    Appeal.filed_at >= since, Appeal.filed_at < until
                )
            )
            or 0
        ),
        appeals_upheld=_appeals_decided(session, since, until, AppealStatus.UPHELD),
        appeals_overturned=_appeals_decided(session, since, until, AppealStatus.OVERTURNED),
        nudges=_nudges(session, since, until),
    )


def _timings(session: Session, since: datetime, until: datetime) -> dict[str, Timing]:
    """From a case's first report to its first moderator response and to its decision (the
    case resolved or dismissed), for cases whose first report came in the period."""
    first_report = (
        select(Report.case_id, func.min(Report.created_at).label("reported_at"))
        .where(Report.case_id.is_not(None))
        .group_by(Report.case_id)
        .subquery()
    )
    rows = session.execute(
        select(first_report.c.reported_at, Case.first_response_at, Case.resolved_at)
        .join(Case, Case.id == first_report.c.case_id)
        .where(first_report.c.reported_at >= since, first_report.c.reported_at < until)
    ).all()
    response = [(r - t).total_seconds() for t, r, _ in rows if r is not None]
    decision = [(d - t).total_seconds() for t, _, d in rows if d is not None]
    return {
        "to_first_response": Timing(
            len(response), percentile(response, 50), percentile(response, 90)
        ),
        "to_decision": Timing(len(decision), percentile(decision, 50), percentile(decision, 90)),
    }


BAN_BUCKETS = ((1, "up to 1 day"), (7, "2-7 days"), (30, "8-30 days"))


def _ban_days(session: Session, since: datetime, until: datetime) -> dict[str, int]:
    rows = session.execute(
        select(EnforcementAction.starts_at, EnforcementAction.expires_at).where(
            EnforcementAction.level == ActionLevel.TEMPORARY_BAN,
            EnforcementAction.decided_at >= since,
            EnforcementAction.decided_at < until,
        )
    ).all()
    buckets = dict.fromkeys([label for _, label in BAN_BUCKETS] + ["over 30 days"], 0)
    for starts, expires in rows:
        if expires is None:
            continue
        days = (expires - starts).total_seconds() / 86400
        label = next((name for limit, name in BAN_BUCKETS if days <= limit), "over 30 days")
        buckets[label] += 1
    return buckets


def _appeals_decided(
    session: Session, since: datetime, until: datetime, status: AppealStatus
) -> int:
    return int(
        session.scalar(
            select(func.count(Appeal.id)).where(
                Appeal.status == status, Appeal.decided_at >= since, Appeal.decided_at < until
            )
        )
        or 0
    )


def _nudges(session: Session, since: datetime, until: datetime) -> list[NudgeStats]:
    """Nudges sent in the period, per policy: how many the member disputed ("this is a
    mistake"), and how many were followed by another detection of the same policy for the
    same member within 30 days."""
    sent = session.execute(
        select(Nudge.member_id, Nudge.policy, Nudge.sent_at, Detection.false_positive_at)
        .join(Detection, Detection.id == Nudge.detection_id)
        .where(Nudge.status == NudgeStatus.SENT, Nudge.sent_at >= since, Nudge.sent_at < until)
    ).all()
    later: dict[tuple[int, str], list[datetime]] = {}
    for member_id, policy, created in session.execute(
        select(Detection.member_id, Detection.policy, Detection.created_at).where(
            Detection.created_at > since, Detection.created_at < until + REPEAT_WINDOW
        )
    ):
        later.setdefault((member_id, policy.value), []).append(created)
    stats: dict[str, list[int]] = {}
    for member_id, policy, sent_at, disputed_at in sent:
        row = stats.setdefault(policy.value, [0, 0, 0])
        row[0] += 1
        row[1] += disputed_at is not None
        row[2] += any(
            sent_at < t <= sent_at + REPEAT_WINDOW for t in later.get((member_id, policy.value), [])
        )
    return [NudgeStats(p, *row) for p, row in sorted(stats.items())]
