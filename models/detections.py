"""What the engine found in messages, and the nudges it sent."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from sqlalchemy import (
    CheckConstraint,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models._columns import SHORT_TEXT_LEN, SLACK_ID_LEN, SLACK_TS_LEN, member_fk
from models.db import Base, UTCDateTime, str_enum, utcnow
from models.enums import Mode, NudgeStatus, PolicyId, Response

if TYPE_CHECKING:
    from models.cases import Case
    from models.members import Member


class Detection(Base):
    """One policy finding on one message. The same message is never recorded
    (hence never nudged) twice for one policy: UNIQUE (channel, ts, policy)."""

    __tablename__ = "detections"

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = member_fk()
    channel_id: Mapped[str] = mapped_column(String(SLACK_ID_LEN))
    message_ts: Mapped[str] = mapped_column(String(SLACK_TS_LEN))
    thread_ts: Mapped[str | None] = mapped_column(String(SLACK_TS_LEN))
    policy: Mapped[PolicyId] = mapped_column(str_enum(PolicyId, "policy"))
    score: Mapped[float] = mapped_column(Float)
    response: Mapped[Response] = mapped_column(str_enum(Response, "response"))
    mode: Mapped[Mode] = mapped_column(str_enum(Mode, "mode"))
    evidence_start: Mapped[int | None] = mapped_column(Integer)
    evidence_end: Mapped[int | None] = mapped_column(Integer)
    clause: Mapped[str] = mapped_column(String(SHORT_TEXT_LEN))
    #: a short plain-text excerpt of the message, for the moderators' case card; message text
    #: stays in this database and never reaches logs or metrics
    excerpt: Mapped[str | None] = mapped_column(Text)
    case_id: Mapped[int | None] = mapped_column(
        ForeignKey("cases.id", ondelete="SET NULL"), index=True
    )
    false_positive_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    false_positive_by_id: Mapped[int | None] = member_fk(nullable=True, ondelete="SET NULL")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    member: Mapped[Member] = relationship(foreign_keys=[member_id], lazy="raise")
    case: Mapped[Case | None] = relationship(back_populates="detections", lazy="raise")
    false_positive_by: Mapped[Member | None] = relationship(
        foreign_keys=[false_positive_by_id], lazy="raise"
    )
    nudge: Mapped[Nudge | None] = relationship(
        back_populates="detection", lazy="raise", passive_deletes=True
    )

    __table_args__ = (
        UniqueConstraint("channel_id", "message_ts", "policy"),
        Index("ix_detections_member_id_created_at", "member_id", "created_at"),
        CheckConstraint(
            "(evidence_start IS NULL AND evidence_end IS NULL)"
            " OR (evidence_start IS NOT NULL AND evidence_end IS NOT NULL"
            " AND evidence_start >= 0 AND evidence_end >= evidence_start)",
            name="evidence_span",
        ),
    )


class Nudge(Base):
    """The ephemeral note sent (or, in shadow mode / when rate limited, not
    sent) to a member about one detection."""

    __tablename__ = "nudges"

    id: Mapped[int] = mapped_column(primary_key=True)
    detection_id: Mapped[int] = mapped_column(
        ForeignKey("detections.id", ondelete="CASCADE"), unique=True
    )
    member_id: Mapped[int] = member_fk()
    policy: Mapped[PolicyId] = mapped_column(str_enum(PolicyId, "policy"))
    status: Mapped[NudgeStatus] = mapped_column(str_enum(NudgeStatus, "status"))
    sent_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    acknowledged_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    detection: Mapped[Detection] = relationship(back_populates="nudge", lazy="raise")
    member: Mapped[Member] = relationship(lazy="raise")

    __table_args__ = (
        # the per-member-per-policy rate limit looks back from now
        Index("ix_nudges_member_id_policy_sent_at", "member_id", "policy", "sent_at"),
    )
