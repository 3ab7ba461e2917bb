"""The schema itself protects the data: duplicates, unknown values and
inconsistent rows are refused by the database, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError, StatementError
from sqlalchemy.orm import Session

from models import (
    ActionLevel,
    Appeal,
    AppealStatus,
    Case,
    Detection,
    EnforcementAction,
    Member,
    Mode,
    Nudge,
    NudgeStatus,
    PolicyId,
    ProcessedEvent,
    RemovedMembership,
    Response,
)

NOW = dt.datetime(2025, 3, 1, 12, 0, tzinfo=dt.UTC)
_moderator_ids = itertools.count(1)


def add_member(session: Session, slack_user_id: str = "U100") -> Member:
    member = Member(slack_user_id=slack_user_id, team_id="T1", real_name="Ada Example")
    session.add(member)
    session.flush()
    return member


def add_case(session: Session, subject: Member) -> Case:
    case = Case(subject=subject, channel_id="C1", message_ts="1700000000.000100")
    session.add(case)
    session.flush()
    return case


def add_action(
    session: Session,
    case: Case,
    *,
    level: ActionLevel = ActionLevel.WARNING,
    expires_at: dt.datetime | None = None,
) -> EnforcementAction:
    moderator = add_member(session, f"UMOD{next(_moderator_ids)}")
    action = EnforcementAction(
        case=case,
        member_id=case.subject_id,
        level=level,
        reason="repeated self-promotion",
        notice="Please keep promotion to #promote.",
        starts_at=NOW,
        expires_at=expires_at,
        decided_by=moderator,
        decided_at=NOW,
        backend="notify-only",
    )
    session.add(action)
    session.flush()
    return action


def add_detection(
    session: Session, member: Member, *, policy: PolicyId = PolicyId.SELF_PROMOTION
) -> Detection:
    detection = Detection(
        member=member,
        channel_id="C1",
        message_ts="1700000000.000100",
        policy=policy,
        score=0.91,
        response=Response.NUDGE,
        mode=Mode.ENFORCE,
        clause="Promotion belongs in #promote",
    )
    session.add(detection)
    session.flush()
    return detection


# --- duplicates ------------------------------------------------------------------


def test_duplicate_slack_event_id_is_rejected(db_session: Session) -> None:
    db_session.add(ProcessedEvent(event_id="Ev01ABC", kind="message"))
    db_session.flush()
    db_session.expunge_all()  # so the ORM does not catch it first: the database must

    db_session.add(ProcessedEvent(event_id="Ev01ABC", kind="message"))
    with pytest.raises(IntegrityError):
        db_session.flush()


def test_duplicate_delivery_is_dropped_in_a_savepoint_and_the_transaction_goes_on(
    db_session: Session,
) -> None:
    member = add_member(db_session)
    db_session.add(ProcessedEvent(event_id="Ev02", kind="message"))
    db_session.flush()
    db_session.expunge(db_session.get_one(ProcessedEvent, "Ev02"))

    with pytest.raises(IntegrityError), db_session.begin_nested():
        db_session.add(ProcessedEvent(event_id="Ev02", kind="message"))

    assert db_session.get(Member, member.id) is member
    assert db_session.query(ProcessedEvent).count() == 1


def test_same_message_cannot_be_recorded_twice_for_one_policy(db_session: Session) -> None:
    member = add_member(db_session)
    add_detection(db_session, member)
    with pytest.raises(IntegrityError):
        add_detection(db_session, member)


def test_same_message_may_be_recorded_once_per_policy(db_session: Session) -> None:
    member = add_member(db_session)
    add_detection(db_session, member, policy=PolicyId.SELF_PROMOTION)
    add_detection(db_session, member, policy=PolicyId.FUNDS_REQUEST)
    assert db_session.query(Detection).count() == 2


def test_a_detection_gets_at_most_one_nudge(db_session: Session) -> None:
    member = add_member(db_session)
    detection = add_detection(db_session, member)
    for _ in range(2):
        db_session.add(
            Nudge(
                detection_id=detection.id,
                member=member,
                policy=detection.policy,
                status=NudgeStatus.SENT,
            )
        )
    with pytest.raises(IntegrityError):
        db_session.flush()


def test_a_ban_records_each_removed_channel_once(db_session: Session) -> None:
    member = add_member(db_session)
    action = add_action(
        db_session,
        add_case(db_session, member),
        level=ActionLevel.TEMPORARY_BAN,
        expires_at=NOW + dt.timedelta(days=7),
    )
    for _ in range(2):
        db_session.add(RemovedMembership(action=action, member=member, channel_id="C9"))
    with pytest.raises(IntegrityError):
        db_session.flush()


# --- CHECK constraints ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("table", "column", "bad_value"),
    [
        ("enforcement_actions", "level", "suspension"),
        ("enforcement_actions", "status", "paused"),
        ("cases", "status", "closed"),
        ("cases", "policy", "spam"),
    ],
)
def test_check_constraint_rejects_a_value_outside_the_enum(
    db_session: Session, table: str, column: str, bad_value: str
) -> None:
    member = add_member(db_session)
    case = add_case(db_session, member)
    action = add_action(db_session, case)
    row_id = action.id if table == "enforcement_actions" else case.id
    with pytest.raises(IntegrityError):
        db_session.execute(
            text(f"UPDATE {table} SET {column} = :value WHERE id = :id"),  # noqa: S608 - test constants
            {"value": bad_value, "id": row_id},
        )


def test_orm_refuses_an_unknown_enum_string_before_the_database_does(db_session: Session) -> None:
    case = add_case(db_session, add_member(db_session))
    case.status = "closed"  # type: ignore[assignment]
    with pytest.raises(StatementError, match="closed"):
        db_session.flush()


def test_temporary_ban_without_expiry_is_rejected(db_session: Session) -> None:
    case = add_case(db_session, add_member(db_session))
    with pytest.raises(IntegrityError):
        add_action(db_session, case, level=ActionLevel.TEMPORARY_BAN, expires_at=None)


@pytest.mark.parametrize(
    "level", [ActionLevel.CORRECTION, ActionLevel.PERMANENT_BAN, ActionLevel.NO_ACTION]
)
def test_expiry_is_rejected_for_levels_that_do_not_expire(
    db_session: Session, level: ActionLevel
) -> None:
    case = add_case(db_session, add_member(db_session))
    with pytest.raises(IntegrityError):
        add_action(db_session, case, level=level, expires_at=NOW + dt.timedelta(days=1))


def test_warning_may_expire_and_temporary_ban_with_expiry_is_accepted(db_session: Session) -> None:
    case = add_case(db_session, add_member(db_session))
    add_action(db_session, case, level=ActionLevel.WARNING, expires_at=NOW + dt.timedelta(days=90))
    add_action(db_session, case, level=ActionLevel.WARNING, expires_at=None)
    add_action(
        db_session, case, level=ActionLevel.TEMPORARY_BAN, expires_at=NOW + dt.timedelta(days=7)
    )
    assert db_session.query(EnforcementAction).count() == 3


def test_expiry_before_start_is_rejected(db_session: Session) -> None:
    case = add_case(db_session, add_member(db_session))
    with pytest.raises(IntegrityError):
        add_action(
            db_session,
            case,
            level=ActionLevel.TEMPORARY_BAN,
            expires_at=NOW - dt.timedelta(hours=1),
        )


def test_evidence_span_needs_both_ends_in_order(db_session: Session) -> None:
    member = add_member(db_session)
    detection = add_detection(db_session, member)
    detection.evidence_start = 5
    with pytest.raises(IntegrityError):
        db_session.flush()
    db_session.rollback()

    detection = add_detection(db_session, add_member(db_session, "U200"))
    detection.evidence_start, detection.evidence_end = 10, 4
    with pytest.raises(IntegrityError):
        db_session.flush()


# --- appeals: at most one open per action -------------------------------------------


def _appeal(action: EnforcementAction, status: AppealStatus) -> Appeal:
    return Appeal(action=action, member_id=action.member_id, text="I disagree", status=status)


def test_second_open_appeal_for_one_action_is_rejected(db_session: Session) -> None:
    action = add_action(db_session, add_case(db_session, add_member(db_session)))
    db_session.add(_appeal(action, AppealStatus.OPEN))
    db_session.flush()
    db_session.add(_appeal(action, AppealStatus.OPEN))
    with pytest.raises(IntegrityError):
        db_session.flush()


def test_decided_appeals_do_not_block_a_new_open_one(db_session: Session) -> None:
    action = add_action(db_session, add_case(db_session, add_member(db_session)))
    db_session.add_all(
        [
            _appeal(action, AppealStatus.UPHELD),
            _appeal(action, AppealStatus.UPHELD),
            _appeal(action, AppealStatus.OPEN),
        ]
    )
    db_session.flush()
    assert db_session.query(Appeal).count() == 3


def test_open_appeals_on_different_actions_are_independent(db_session: Session) -> None:
    case = add_case(db_session, add_member(db_session))
    first, second = add_action(db_session, case), add_action(db_session, case)
    db_session.add_all([_appeal(first, AppealStatus.OPEN), _appeal(second, AppealStatus.OPEN)])
    db_session.flush()
    assert db_session.query(Appeal).count() == 2


# --- foreign keys ----------------------------------------------------------------------


def test_foreign_keys_are_enforced_on_every_backend(db_session: Session) -> None:
    db_session.add(
        Detection(
            member_id=999_999,
            channel_id="C1",
            message_ts="1.0",
            policy=PolicyId.HARASSMENT,
            score=0.5,
            response=Response.FLAG,
            mode=Mode.SHADOW,
            clause="Be kind",
        )
    )
    with pytest.raises(IntegrityError):
        db_session.flush()


def test_a_member_with_history_cannot_be_deleted(db_session: Session) -> None:
    member = add_member(db_session)
    add_case(db_session, member)
    db_session.delete(member)
    with pytest.raises(IntegrityError):
        db_session.flush()
