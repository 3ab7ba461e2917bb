"""What moderators do to a case: assign, note, dismiss, decide. Database only, no Slack.

Every change writes an AuditEvent in the same transaction. Deciding is protected twice: a
closed case refuses a decision, and the case's version column makes two decisions committed
at the same moment collide (StaleDataError), so the second moderator is told who decided
instead of creating a second action.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from bot.errors import ConductError
from bot.services.audit import record
from bot.services.members import find_member
from models import (
    ActionStatus,
    Case,
    CaseNote,
    CaseStatus,
    Detection,
    EnforcementAction,
    Member,
    Report,
)
from moderation.ids import ActionLevel
from moderation.ladder import LEVEL_NAMES, Decision, PriorAction, counted, suggest_next

CLOSED = (CaseStatus.RESOLVED, CaseStatus.DISMISSED)
MAX_NOTE = 3000


class CaseNotFound(ConductError):
    user_message = "That case no longer exists."


class CaseClosed(ConductError):
    """The case was decided or dismissed already; the message says by whom and when."""


class Recused(ConductError):
    pass


class UnknownModerator(ConductError):
    user_message = "We couldn't find your Slack profile. Please try again in a minute."


def load_case(session: Session, case_id: int) -> Case:
    case = session.scalar(
        select(Case)
        .where(Case.id == case_id)
        .options(
            selectinload(Case.subject),
            selectinload(Case.assignee),
            selectinload(Case.reports).selectinload(Report.reporter),
            selectinload(Case.reports).selectinload(Report.subjects),
            selectinload(Case.actions).selectinload(EnforcementAction.decided_by),
        )
    )
    if case is None:
        raise CaseNotFound(f"case {case_id}")
    return case


def recusal_reason(case: Case, user_id: str) -> str | None:
    """Why `user_id` may not act on this case, or None. Involvement is read from the case
    itself, so it holds for any moderator without configuration."""
    if case.subject.slack_user_id == user_id:
        return "is the member this case is about"
    if any(r.reporter.slack_user_id == user_id for r in case.reports):
        return "reported it"
    if any(m.slack_user_id == user_id for r in case.reports for m in r.subjects):
        return "is named in a report"
    return None


def recused_moderators(case: Case, moderators: frozenset[str]) -> list[str]:
    return sorted(m for m in moderators if recusal_reason(case, m) is not None)


def ensure_may_act(session: Session, case: Case, user_id: str, now: datetime) -> None:
    reason = recusal_reason(case, user_id)
    if reason is not None:
        record(session, "auth.recused", now, actor=user_id, case_id=case.id)
        session.commit()  # the refusal is part of the record even though nothing else is
        raise Recused(
            f"{user_id} recused from case {case.id}",
            user_message=f"You can't act on case #{case.id}: you {reason}. "
            "Another moderator will take it.",
        )


def ensure_open(case: Case) -> None:
    if case.status not in CLOSED:
        return
    decided = max(case.actions, key=lambda a: a.decided_at, default=None)
    if decided is not None:
        when = f"{decided.decided_at:%Y-%m-%d %H:%M} UTC"
        raise CaseClosed(
            f"case {case.id} closed",
            user_message=f"Case #{case.id} was already decided by "
            f"<@{decided.decided_by.slack_user_id}> at {when}. Nothing was changed.",
        )
    when = f"{case.resolved_at:%Y-%m-%d %H:%M} UTC" if case.resolved_at else "earlier"
    raise CaseClosed(
        f"case {case.id} closed",
        user_message=f"Case #{case.id} was already {case.status.value} ({when}). "
        "Nothing was changed.",
    )


def _moderator(session: Session, user_id: str) -> Member:
    member = find_member(session, user_id)
    if member is None:
        raise UnknownModerator(user_id)
    return member


def _first_response(case: Case, now: datetime) -> None:
    if case.first_response_at is None:
        case.first_response_at = now


def history_of(session: Session, member_id: int) -> list[PriorAction]:
    actions = session.scalars(
        select(EnforcementAction).where(EnforcementAction.member_id == member_id)
    )
    return [
        PriorAction(a.level, a.decided_at, overturned=a.status == ActionStatus.OVERTURNED)
        for a in actions
    ]


def suggested_step(session: Session, case: Case, now: datetime) -> ActionLevel:
    return suggest_next(history_of(session, case.subject_id), now)


def assign_case(session: Session, case_id: int, user_id: str, now: datetime) -> Case:
    case = load_case(session, case_id)
    ensure_open(case)
    ensure_may_act(session, case, user_id, now)
    moderator = _moderator(session, user_id)
    case.assignee_id = moderator.id
    case.status = CaseStatus.TRIAGED
    case.updated_at = now
    _first_response(case, now)
    record(session, "case.assigned", now, actor=user_id, case_id=case.id)
    return case


def add_note(session: Session, case_id: int, user_id: str, text: str, now: datetime) -> CaseNote:
    case = load_case(session, case_id)
    ensure_may_act(session, case, user_id, now)
    note = CaseNote(case_id=case.id, author_slack_id=user_id, text=text[:MAX_NOTE], created_at=now)
    session.add(note)
    case.updated_at = now
    _first_response(case, now)
    session.flush()
    record(session, "case.note_added", now, actor=user_id, case_id=case.id, note_id=note.id)
    return note


def dismiss_case(session: Session, case_id: int, user_id: str, reason: str, now: datetime) -> Case:
    case = load_case(session, case_id)
    ensure_open(case)
    ensure_may_act(session, case, user_id, now)
    case.status = CaseStatus.DISMISSED
    case.dismiss_reason = reason
    case.resolved_at = now
    case.updated_at = now
    _first_response(case, now)
    record(session, "case.dismissed", now, actor=user_id, case_id=case.id)
    return case


@dataclass(frozen=True)
class DecisionOutcome:
    action_id: int
    case_id: int
    level: ActionLevel
    member_user_id: str
    notice: str
    reporters_to_tell: tuple[str, ...]
    ends_at: datetime | None = None


def decide_case(
    session: Session,
    case_id: int,
    user_id: str,
    decision: Decision,
    *,
    tell_reporter: bool,
    backend: str,
    now: datetime,
) -> DecisionOutcome:
    """Store the decision. The caller validated it (moderation.ladder.validate) and commits;
    a concurrent decision surfaces at commit as StaleDataError (see `decision_conflict`)."""
    case = load_case(session, case_id)
    ensure_open(case)
    ensure_may_act(session, case, user_id, now)
    moderator = _moderator(session, user_id)
    suggested = suggested_step(session, case, now)
    action = EnforcementAction(
        case_id=case.id,
        member_id=case.subject_id,
        level=decision.level,
        status=ActionStatus.ACTIVE
        if decision.level is not ActionLevel.NO_ACTION
        else ActionStatus.EXPIRED,
        reason=decision.reason,
        notice=decision.notice,
        no_contact_user_ids=list(decision.no_contact_user_ids),
        starts_at=now,
        expires_at=decision.ends_at,
        decided_by_id=moderator.id,
        decided_at=now,
        backend=backend,
        skipped_step_justification=decision.justification or None,
    )
    session.add(action)
    case.status = CaseStatus.RESOLVED
    case.resolved_at = now
    case.updated_at = now
    if case.assignee_id is None:
        case.assignee_id = moderator.id
    _first_response(case, now)
    session.flush()
    record(
        session,
        "action.decided",
        now,
        actor=user_id,
        case_id=case.id,
        subject=case.subject.slack_user_id,
        action_id=action.id,
        level=decision.level.value,
        suggested=suggested.value,
        skipped_step=bool(decision.justification),
        tell_reporter=tell_reporter,
        ends_at=decision.ends_at.isoformat() if decision.ends_at else None,
    )
    reporters = tuple(
        sorted({r.reporter.slack_user_id for r in case.reports}) if tell_reporter else ()
    )
    return DecisionOutcome(
        action_id=action.id,
        case_id=case.id,
        level=decision.level,
        member_user_id=case.subject.slack_user_id,
        notice=decision.notice,
        reporters_to_tell=reporters,
        ends_at=decision.ends_at,
    )


def decision_conflict(session: Session, case_id: int) -> CaseClosed:
    """After a StaleDataError: the error that tells the second moderator what happened."""
    session.rollback()
    case = load_case(session, case_id)
    try:
        ensure_open(case)
    except CaseClosed as closed:
        return closed
    return CaseClosed(
        f"case {case_id} changed",
        user_message=f"Case #{case_id} changed while you were deciding. Please look at it again.",
    )


#: Quoted in a notice when the case came from a report rather than a policy's detection.
GENERAL_CLAUSE = (
    "Be respectful of differing opinions, viewpoints, and experiences; "
    "harassment and other unacceptable behaviour are not tolerated."
)


def case_clause(session: Session, case: Case) -> str:
    clause = session.scalar(
        select(Detection.clause).where(Detection.case_id == case.id).order_by(Detection.id)
    )
    return clause or GENERAL_CLAUSE


def history_summary(session: Session, case: Case, now: datetime) -> str:
    prior = history_of(session, case.subject_id)
    if not prior:
        return "no earlier decisions"
    still = counted(prior, now)
    names = ", ".join(f"{LEVEL_NAMES[a.level]} ({a.decided_at:%Y-%m-%d})" for a in still)
    return names or "only decisions that no longer count (old or overturned)"


@dataclass(frozen=True)
class BanEndChange:
    action_id: int
    case_id: int
    member_user_id: str
    old_end: datetime | None
    new_end: datetime


class BanNotChangeable(ConductError):
    user_message = "That ban is no longer in force, so its end can't be changed."


def change_ban_end(
    session: Session, action_id: int, user_id: str, ends_at: datetime, now: datetime
) -> BanEndChange:
    """Shorten or extend an active temporary ban. An end in the past means "end it now"."""
    action = session.get(EnforcementAction, action_id)
    if (
        action is None
        or action.level is not ActionLevel.TEMPORARY_BAN
        or action.status is not ActionStatus.ACTIVE
    ):
        raise BanNotChangeable(f"action {action_id}")
    case = load_case(session, action.case_id)
    ensure_may_act(session, case, user_id, now)
    old_end = action.expires_at
    # The row's CHECK wants the end after the start; "now" always is, unless decided this second.
    new_end = max(ends_at, now, action.starts_at + timedelta(seconds=1))
    action.expires_at = new_end
    record(
        session,
        "action.end_changed",
        now,
        actor=user_id,
        case_id=case.id,
        subject=case.subject.slack_user_id,
        action_id=action.id,
        old_end=old_end.isoformat() if old_end else None,
        new_end=new_end.isoformat(),
    )
    return BanEndChange(action.id, case.id, case.subject.slack_user_id, old_end, new_end)
