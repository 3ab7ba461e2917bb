"""Cases and their neighbours: optimistic locking, explicit loading, links."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import InvalidRequestError
from sqlalchemy.orm import Session, selectinload, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from models import (
    ActionLevel,
    Case,
    CaseStatus,
    EnforcementAction,
    Member,
    Report,
    ReportSource,
    session_scope,
)

NOW = dt.datetime(2025, 3, 1, 12, 0, tzinfo=dt.UTC)


def add_members(session: Session, *slack_ids: str) -> list[Member]:
    members = [Member(slack_user_id=s, team_id="T1", real_name=s) for s in slack_ids]
    session.add_all(members)
    session.flush()
    return members


def add_case(session: Session, subject: Member) -> Case:
    case = Case(subject=subject, channel_id="C1", message_ts="1700000000.000100")
    session.add(case)
    session.flush()
    return case


# --- optimistic locking --------------------------------------------------------------


def test_case_version_starts_at_one_and_grows_with_each_update(db_session: Session) -> None:
    (subject,) = add_members(db_session, "U1")
    case = add_case(db_session, subject)
    assert case.version == 1
    case.status = CaseStatus.TRIAGED
    db_session.flush()
    assert case.version == 2


def test_stale_case_update_raises_stale_data_error(db_session: Session) -> None:
    (subject,) = add_members(db_session, "U1")
    case = add_case(db_session, subject)
    # someone else decides meanwhile (same row, version moves on)
    db_session.execute(
        text("UPDATE cases SET status = 'resolved', version = version + 1 WHERE id = :id"),
        {"id": case.id},
    )
    case.status = CaseStatus.DISMISSED
    with pytest.raises(StaleDataError):
        db_session.flush()


def test_second_of_two_moderators_deciding_at_once_gets_stale_data_error(
    session_factory: sessionmaker[Session],
) -> None:
    with session_scope(session_factory) as setup:
        (subject,) = add_members(setup, "U1")
        case_id = add_case(setup, subject).id

    first, second = session_factory(), session_factory()
    try:
        case_a = first.get_one(Case, case_id)
        case_b = second.get_one(Case, case_id)

        case_a.status = CaseStatus.RESOLVED
        first.commit()

        case_b.status = CaseStatus.DISMISSED
        with pytest.raises(StaleDataError):
            second.commit()
    finally:
        first.close()
        second.close()

    with session_factory() as check:
        stored = check.get_one(Case, case_id)
        assert (stored.status, stored.version) == (CaseStatus.RESOLVED, 2)


# --- lazy="raise": nothing loads behind your back ---------------------------------------


def test_relationship_access_raises_unless_loaded_explicitly(db_session: Session) -> None:
    (subject,) = add_members(db_session, "U1")
    case_id = add_case(db_session, subject).id
    db_session.expunge_all()

    case = db_session.get_one(Case, case_id)
    with pytest.raises(InvalidRequestError, match="lazy='raise'"):
        _ = case.subject
    with pytest.raises(InvalidRequestError, match="lazy='raise'"):
        _ = case.reports

    db_session.expunge_all()
    loaded = db_session.scalars(
        select(Case)
        .where(Case.id == case_id)
        .options(selectinload(Case.subject), selectinload(Case.reports))
    ).one()
    assert loaded.subject.slack_user_id == "U1"
    assert loaded.reports == []


def test_report_names_several_subjects(db_session: Session) -> None:
    reporter, first, second = add_members(db_session, "UREP", "U1", "U2")
    report = Report(
        reporter=reporter,
        source=ReportSource.SHORTCUT,
        description="They ganged up on a newcomer in #general",
        subjects=[first, second],
    )
    db_session.add(report)
    db_session.flush()
    db_session.expunge_all()

    loaded = db_session.scalars(select(Report).options(selectinload(Report.subjects))).one()
    assert sorted(m.slack_user_id for m in loaded.subjects) == ["U1", "U2"]
    assert loaded.case_id is None


def test_reports_attach_to_a_case(db_session: Session) -> None:
    reporter, subject = add_members(db_session, "UREP", "U1")
    case = add_case(db_session, subject)
    db_session.add(
        Report(reporter=reporter, case=case, source=ReportSource.COMMAND, description="x")
    )
    db_session.flush()
    db_session.expunge_all()
    loaded = db_session.scalars(select(Case).options(selectinload(Case.reports))).one()
    assert [r.reporter_id for r in loaded.reports] == [reporter.id]


def test_enforcement_steps_appended_in_place_are_saved(db_session: Session) -> None:
    subject, moderator = add_members(db_session, "U1", "UMOD")
    action = EnforcementAction(
        case=add_case(db_session, subject),
        member=subject,
        level=ActionLevel.CORRECTION,
        reason="r",
        notice="n",
        starts_at=NOW,
        decided_by=moderator,
        decided_at=NOW,
        backend="notify-only",
    )
    db_session.add(action)
    db_session.flush()
    assert action.no_contact_user_ids == [] and action.enforcement_steps == []

    action.enforcement_steps.append({"step": "dm_notice", "ok": True})
    action.no_contact_user_ids.append("U2")
    db_session.flush()
    db_session.expunge_all()

    loaded = db_session.get_one(EnforcementAction, action.id)
    assert loaded.enforcement_steps == [{"step": "dm_notice", "ok": True}]
    assert loaded.no_contact_user_ids == ["U2"]
