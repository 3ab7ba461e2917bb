"""Reports from members and the cases moderators work on."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from sqlalchemy import Column, ForeignKey, Index, Integer, String, Table, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models._columns import SHORT_TEXT_LEN, SLACK_ID_LEN, SLACK_TS_LEN, member_fk
from models.db import Base, UTCDateTime, str_enum, utcnow
from models.enums import CaseStatus, PolicyId, ReportSource

if TYPE_CHECKING:
    from models.detections import Detection
    from models.enforcement import EnforcementAction
    from models.members import Member

#: The people a report is about (a report may name several).
report_subjects = Table(
    "report_subjects",
    Base.metadata,
    Column(
        "report_id",
        Integer,
        ForeignKey("reports.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column(
        "member_id",
        Integer,
        ForeignKey("members.id", ondelete="RESTRICT"),
        primary_key=True,
        index=True,
    ),
)


OPEN_PER_MESSAGE = text("message_ts IS NOT NULL AND status IN ('open', 'triaged')")


class Case(Base):
    """What moderators decide on: about one member, maybe one message.

    ``version`` is the optimistic lock: an UPDATE from a session holding a
    stale version matches no row and raises ``StaleDataError``, so when two
    moderators decide at once the second one is told instead of overwriting.
    """

    __tablename__ = "cases"

    id: Mapped[int] = mapped_column(primary_key=True)
    subject_id: Mapped[int] = member_fk()
    channel_id: Mapped[str | None] = mapped_column(String(SLACK_ID_LEN))
    message_ts: Mapped[str | None] = mapped_column(String(SLACK_TS_LEN))
    policy: Mapped[PolicyId | None] = mapped_column(str_enum(PolicyId, "policy"))
    status: Mapped[CaseStatus] = mapped_column(
        str_enum(CaseStatus, "status"), default=CaseStatus.OPEN
    )
    assignee_id: Mapped[int | None] = member_fk(nullable=True, ondelete="SET NULL")
    opened_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    first_response_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    resolved_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    dismiss_reason: Mapped[str | None] = mapped_column(Text)
    card_channel_id: Mapped[str | None] = mapped_column(String(SLACK_ID_LEN))
    card_ts: Mapped[str | None] = mapped_column(String(SLACK_TS_LEN))
    #: times the member broke a no-contact term of this case's decision
    no_contact_violations: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    version: Mapped[int] = mapped_column(Integer)

    subject: Mapped[Member] = relationship(foreign_keys=[subject_id], lazy="raise")
    assignee: Mapped[Member | None] = relationship(foreign_keys=[assignee_id], lazy="raise")
    reports: Mapped[list[Report]] = relationship(
        back_populates="case", lazy="raise", passive_deletes=True
    )
    detections: Mapped[list[Detection]] = relationship(
        back_populates="case", lazy="raise", passive_deletes=True
    )
    actions: Mapped[list[EnforcementAction]] = relationship(
        back_populates="case", lazy="raise", passive_deletes="all"
    )
    notes: Mapped[list[CaseNote]] = relationship(
        back_populates="case", lazy="raise", passive_deletes=True
    )

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012
    __table_args__ = (
        Index("ix_cases_status", "status"),
        Index(
            "ix_cases_subject_id_channel_id_message_ts", "subject_id", "channel_id", "message_ts"
        ),
        # One open case per member and message, so a report and a detection about the same
        # message (or two replicas handling them at once) join one case instead of two.
        Index(
            "uq_cases_open_per_message",
            "subject_id",
            "channel_id",
            "message_ts",
            unique=True,
            sqlite_where=OPEN_PER_MESSAGE,
            postgresql_where=OPEN_PER_MESSAGE,
        ),
    )


class Report(Base):
    """What a member told the moderators, through /report, the message
    shortcut or a DM."""

    __tablename__ = "reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    reporter_id: Mapped[int] = member_fk()
    case_id: Mapped[int | None] = mapped_column(
        ForeignKey("cases.id", ondelete="SET NULL"), index=True
    )
    source: Mapped[ReportSource] = mapped_column(str_enum(ReportSource, "source"))
    description: Mapped[str] = mapped_column(Text)
    message_link: Mapped[str | None] = mapped_column(Text)
    channel_id: Mapped[str | None] = mapped_column(String(SLACK_ID_LEN))
    message_ts: Mapped[str | None] = mapped_column(String(SLACK_TS_LEN))
    occurred_when: Mapped[str | None] = mapped_column(String(SHORT_TEXT_LEN))
    extra: Mapped[str | None] = mapped_column(Text)
    contact_preference: Mapped[str | None] = mapped_column(String(SHORT_TEXT_LEN))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    reporter: Mapped[Member] = relationship(foreign_keys=[reporter_id], lazy="raise")
    case: Mapped[Case | None] = relationship(back_populates="reports", lazy="raise")
    subjects: Mapped[list[Member]] = relationship(secondary=report_subjects, lazy="raise")


class CaseNote(Base):
    """A moderator's internal note on a case; shown on the card, never to members."""

    __tablename__ = "case_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    author_slack_id: Mapped[str] = mapped_column(String(SLACK_ID_LEN))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    case: Mapped[Case] = relationship(back_populates="notes", lazy="raise")
