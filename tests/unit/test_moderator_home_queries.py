"""What the moderators' Home section reads from the database (SQLite and PostgreSQL)."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from bot.services.moderator_home import (
    active_bans,
    dispute_rates,
    failed_steps,
    load_moderator_home,
    open_cases,
    recent_detections,
)
from models import (
    ActionLevel,
    ActionStatus,
    Case,
    CaseStatus,
    Detection,
    EnforcementAction,
    Member,
    Mode,
    Nudge,
    NudgeStatus,
    PolicyId,
    Response,
)

NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
_ts = itertools.count(1)


def member(session: Session, user_id: str) -> Member:
    m = Member(slack_user_id=user_id, team_id="T1", real_name=user_id)
    session.add(m)
    session.flush()
    return m


def add_case(
    session: Session,
    subject: Member,
    *,
    status: CaseStatus = CaseStatus.OPEN,
    age: timedelta = timedelta(days=1),
    assignee: Member | None = None,
    policy: PolicyId | None = PolicyId.HARASSMENT,
) -> Case:
    c = Case(
        subject=subject,
        status=status,
        policy=policy,
        opened_at=NOW - age,
        assignee=assignee,
        card_channel_id="C0MODS",
        card_ts="1.0",
    )
    session.add(c)
    session.flush()
    return c


def add_action(
    session: Session,
    subject: Member,
    moderator: Member,
    level: ActionLevel,
    *,
    ends_in: timedelta | None = None,
    status: ActionStatus = ActionStatus.ACTIVE,
    decided_ago: timedelta = timedelta(days=1),
    steps: list[dict[str, Any]] | None = None,
    lifted_ago: timedelta | None = None,
) -> EnforcementAction:
    case = add_case(session, subject, status=CaseStatus.RESOLVED)
    decided = NOW - decided_ago
    action = EnforcementAction(
        case=case,
        member=subject,
        level=level,
        status=status,
        reason="r",
        notice="n",
        starts_at=decided,
        expires_at=NOW + ends_in if ends_in is not None else None,
        decided_by=moderator,
        decided_at=decided,
        lifted_at=NOW - lifted_ago if lifted_ago is not None else None,
        backend="notify",
        enforcement_steps=steps or [],
    )
    session.add(action)
    session.flush()
    return action


def add_detection(
    session: Session,
    subject: Member,
    *,
    ago: timedelta,
    policy: PolicyId = PolicyId.SELF_PROMOTION,
    disputed: bool = False,
    nudge: NudgeStatus | None = NudgeStatus.SENT,
) -> Detection:
    created = NOW - ago
    d = Detection(
        member_id=subject.id,
        channel_id="C0RANDOM",
        message_ts=f"1700000000.{next(_ts):06d}",
        policy=policy,
        score=0.9,
        response=Response.NUDGE,
        mode=Mode.ENFORCE,
        clause="clause",
        excerpt="SECRET MESSAGE TEXT",
        created_at=created,
        false_positive_at=created + timedelta(minutes=1) if disputed else None,
    )
    session.add(d)
    session.flush()
    if nudge is not None:
        session.add(
            Nudge(
                detection_id=d.id,
                member_id=subject.id,
                policy=policy,
                status=nudge,
                sent_at=created,
            )
        )
        session.flush()
    return d


def step(name: str, ok: bool, ago: timedelta, detail: str | None = None) -> dict[str, Any]:
    return {"step": name, "ok": ok, "at": (NOW - ago).isoformat(), "detail": detail}


def test_open_cases_are_open_or_triaged_oldest_first_with_a_total(db_session: Session) -> None:
    dmitri, carla = member(db_session, "U0DMITRI"), member(db_session, "U0CARLA")
    newer = add_case(db_session, dmitri, age=timedelta(days=1), assignee=carla)
    older = add_case(db_session, dmitri, age=timedelta(days=5), policy=None)
    triaged = add_case(db_session, dmitri, age=timedelta(days=3), status=CaseStatus.TRIAGED)
    add_case(db_session, dmitri, age=timedelta(days=9), status=CaseStatus.RESOLVED)
    add_case(db_session, dmitri, age=timedelta(days=9), status=CaseStatus.DISMISSED)

    rows, total = open_cases(db_session, limit=2)

    assert total == 3
    assert [r.case_id for r in rows] == [older.id, triaged.id]
    assert rows[0].policy is None and rows[0].assignee_user_id is None
    assert rows[0].subject_user_id == "U0DMITRI" and rows[0].card_channel_id == "C0MODS"
    all_rows, _ = open_cases(db_session)
    assert all_rows[-1].case_id == newer.id and all_rows[-1].assignee_user_id == "U0CARLA"


def test_active_bans_are_those_in_force_soonest_end_first_then_permanent(
    db_session: Session,
) -> None:
    dmitri, alice, carla = (member(db_session, u) for u in ("U0DMITRI", "U0ALICE", "U0CARLA"))
    permanent = add_action(db_session, alice, carla, ActionLevel.PERMANENT_BAN)
    later = add_action(
        db_session, dmitri, carla, ActionLevel.TEMPORARY_BAN, ends_in=timedelta(days=6)
    )
    sooner = add_action(
        db_session, alice, carla, ActionLevel.TEMPORARY_BAN, ends_in=timedelta(hours=2)
    )
    # not in force: lifted, ended but not swept yet, a warning
    add_action(
        db_session,
        dmitri,
        carla,
        ActionLevel.TEMPORARY_BAN,
        ends_in=timedelta(days=2),
        status=ActionStatus.LIFTED,
    )
    add_action(db_session, dmitri, carla, ActionLevel.TEMPORARY_BAN, ends_in=timedelta(seconds=-1))
    add_action(db_session, dmitri, carla, ActionLevel.WARNING)

    rows, total = active_bans(db_session, NOW)

    assert total == 3
    assert [r.case_id for r in rows] == [sooner.case_id, later.case_id, permanent.case_id]
    assert rows[0].expires_at == NOW + timedelta(hours=2)
    assert rows[2].expires_at is None and rows[2].level is ActionLevel.PERMANENT_BAN
    assert active_bans(db_session, NOW, limit=1)[1] == 3


def test_recent_detections_are_the_last_seven_days_newest_first(db_session: Session) -> None:
    alice = member(db_session, "U0ALICE")
    old = add_detection(db_session, alice, ago=timedelta(days=8))
    first = add_detection(db_session, alice, ago=timedelta(days=6), disputed=True)
    last = add_detection(db_session, alice, ago=timedelta(hours=1), policy=PolicyId.HARASSMENT)

    rows, total = recent_detections(db_session, NOW)

    assert total == 2
    assert [r.detection_id for r in rows] == [last.id, first.id]
    assert old.id not in [r.detection_id for r in rows]
    assert rows[1].disputed and not rows[0].disputed
    assert rows[0].member_user_id == "U0ALICE" and rows[0].policy is PolicyId.HARASSMENT
    assert recent_detections(db_session, NOW, limit=1)[1] == 2


def test_dispute_rate_counts_sent_nudges_of_the_last_30_days_per_policy(
    db_session: Session,
) -> None:
    alice = member(db_session, "U0ALICE")
    for i in range(4):
        add_detection(db_session, alice, ago=timedelta(days=i + 1), disputed=i == 0)
    add_detection(db_session, alice, ago=timedelta(days=2), policy=PolicyId.HARASSMENT)
    # not counted: too old, suppressed, shadow, failed to send, no nudge at all
    add_detection(db_session, alice, ago=timedelta(days=31), disputed=True)
    for status in (NudgeStatus.SUPPRESSED, NudgeStatus.SHADOW, NudgeStatus.FAILED, None):
        add_detection(db_session, alice, ago=timedelta(days=1), nudge=status)

    rates = {r.policy: (r.nudges, r.disputed) for r in dispute_rates(db_session, NOW)}

    assert rates[PolicyId.SELF_PROMOTION] == (4, 1)
    assert rates[PolicyId.HARASSMENT] == (1, 0)
    assert rates[PolicyId.FUNDS_REQUEST] == (0, 0)
    assert set(rates) == set(PolicyId)


def test_failed_steps_are_what_still_needs_doing_by_hand(db_session: Session) -> None:
    dmitri, carla = member(db_session, "U0DMITRI"), member(db_session, "U0CARLA")
    active = add_action(
        db_session,
        dmitri,
        carla,
        ActionLevel.PERMANENT_BAN,
        decided_ago=timedelta(days=90),
        steps=[
            step("checklist_posted", False, timedelta(days=90), "not_in_channel"),
            step("dm_sent", True, timedelta(days=90)),
        ],
    )
    retried = add_action(
        db_session,
        dmitri,
        carla,
        ActionLevel.TEMPORARY_BAN,
        ends_in=timedelta(days=3),
        steps=[
            step("checklist_posted", False, timedelta(hours=5), "ratelimited"),
            step("checklist_posted", True, timedelta(hours=4)),
        ],
    )
    lifted = add_action(
        db_session,
        dmitri,
        carla,
        ActionLevel.TEMPORARY_BAN,
        ends_in=timedelta(days=1),
        status=ActionStatus.LIFTED,
        decided_ago=timedelta(days=60),
        lifted_ago=timedelta(days=2),
        steps=[
            step("kick", False, timedelta(days=60), "cant_kick"),  # old, the ban is over
            step("restore_membership", False, timedelta(days=2), "channel_not_found"),
        ],
    )
    add_action(
        db_session,
        dmitri,
        carla,
        ActionLevel.WARNING,
        status=ActionStatus.EXPIRED,
        decided_ago=timedelta(days=90),
        steps=[step("dm_sent", False, timedelta(days=90))],
    )

    rows, total = failed_steps(db_session, NOW)

    assert total == 2
    assert [(r.case_id, r.step, r.detail) for r in rows] == [
        (lifted.case_id, "restore_membership", "channel_not_found"),
        (active.case_id, "checklist_posted", "not_in_channel"),
    ]
    assert retried.case_id not in [r.case_id for r in rows]
    assert rows[0].member_user_id == "U0DMITRI" and rows[0].at == NOW - timedelta(days=2)
    assert failed_steps(db_session, NOW, limit=1)[1] == 2


def test_moderator_home_loads_everything_and_never_message_text(db_session: Session) -> None:
    dmitri, carla = member(db_session, "U0DMITRI"), member(db_session, "U0CARLA")
    add_case(db_session, dmitri)
    add_action(db_session, dmitri, carla, ActionLevel.TEMPORARY_BAN, ends_in=timedelta(days=6))
    add_detection(db_session, dmitri, ago=timedelta(hours=1), disputed=True)

    home = load_moderator_home(db_session, NOW)

    assert home.now == NOW
    assert home.open_cases_total == 1 and home.bans_total == 1 and home.detections_total == 1
    assert len(home.rates) == len(PolicyId)
    assert "SECRET MESSAGE TEXT" not in repr(home)
