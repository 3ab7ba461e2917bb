"""Decisions (enforcement actions), appeals against them, and what a ban took away."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy import text as sql_text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models._columns import SLACK_ID_LEN, SLACK_TS_LEN, json_list, member_fk
from models.db import Base, UTCDateTime, str_enum, utcnow
from models.enums import ActionLevel, ActionStatus, AppealStatus

if TYPE_CHECKING:
    from models.cases import Case
    from models.members import Member

_TIMED_LEVELS = (ActionLevel.TEMPORARY_BAN, ActionLevel.WARNING)
_timed_levels_sql = ", ".join(f"'{level.value}'" for level in _TIMED_LEVELS)


class EnforcementAction(Base):
    """A moderator's decision on a case, and how it was carried out on Slack.

    ``expires_at`` is required for a temporary ban, allowed for a warning (a
    warning may lapse) and forbidden for every other level; both rules are
    CHECK constraints.
    """

    __tablename__ = "enforcement_actions"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="RESTRICT"))
    member_id: Mapped[int] = member_fk()
    level: Mapped[ActionLevel] = mapped_column(str_enum(ActionLevel, "level"))
    status: Mapped[ActionStatus] = mapped_column(
        str_enum(ActionStatus, "status"), default=ActionStatus.ACTIVE
    )
    #: internal: why the moderators decided this
    reason: Mapped[str] = mapped_column(Text)
    #: what the member was told
    notice: Mapped[str] = mapped_column(Text)
    #: Slack user ids the member must not contact
    no_contact_user_ids: Mapped[list[str]] = json_list()
    starts_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[int] = member_fk()
    decided_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    lifted_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    lifted_by_id: Mapped[int | None] = member_fk(nullable=True, ondelete="SET NULL")
    #: a lift is claimed (started) and finished in separate steps, so one interrupted by a
    #: crash is found and finished by the next attempt (bot/services/expiry.py)
    lift_started_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    lift_finished_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    #: the enforcement backend that carried it out (notify-only, channels, scim)
    backend: Mapped[str] = mapped_column(String(32))
    #: one JSON object per step the backend took, with its result
    enforcement_steps: Mapped[list[dict[str, Any]]] = json_list()
    skipped_step_justification: Mapped[str | None] = mapped_column(Text)

    case: Mapped[Case] = relationship(back_populates="actions", lazy="raise")
    member: Mapped[Member] = relationship(foreign_keys=[member_id], lazy="raise")
    decided_by: Mapped[Member] = relationship(foreign_keys=[decided_by_id], lazy="raise")
    lifted_by: Mapped[Member | None] = relationship(foreign_keys=[lifted_by_id], lazy="raise")
    appeals: Mapped[list[Appeal]] = relationship(
        back_populates="action", lazy="raise", passive_deletes=True
    )
    removed_memberships: Mapped[list[RemovedMembership]] = relationship(
        back_populates="action", lazy="raise", passive_deletes=True
    )

    __table_args__ = (
        CheckConstraint(
            f"level != '{ActionLevel.TEMPORARY_BAN.value}' OR expires_at IS NOT NULL",
            name="temporary_ban_expires",
        ),
        CheckConstraint(
            f"expires_at IS NULL OR level IN ({_timed_levels_sql})",
            name="expiry_only_when_timed",
        ),
        CheckConstraint("expires_at IS NULL OR expires_at > starts_at", name="expires_after_start"),
        Index("ix_enforcement_actions_member_id_decided_at", "member_id", "decided_at"),
        Index("ix_enforcement_actions_status_expires_at", "status", "expires_at"),
    )


class Appeal(Base):
    """A member's appeal against an action. At most one may be open per action
    (a partial unique index); decided ones stay as history."""

    __tablename__ = "appeals"

    id: Mapped[int] = mapped_column(primary_key=True)
    action_id: Mapped[int] = mapped_column(
        ForeignKey("enforcement_actions.id", ondelete="CASCADE"), index=True
    )
    member_id: Mapped[int] = member_fk()
    text: Mapped[str] = mapped_column(Text)
    status: Mapped[AppealStatus] = mapped_column(
        str_enum(AppealStatus, "status"), default=AppealStatus.OPEN
    )
    filed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_by_id: Mapped[int | None] = member_fk(nullable=True, ondelete="SET NULL")
    decided_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    decision_note: Mapped[str | None] = mapped_column(Text)
    #: where the appeal was posted for moderators, so its card can be redrawn in place
    card_channel_id: Mapped[str | None] = mapped_column(String(SLACK_ID_LEN))
    card_ts: Mapped[str | None] = mapped_column(String(SLACK_TS_LEN))

    action: Mapped[EnforcementAction] = relationship(back_populates="appeals", lazy="raise")
    member: Mapped[Member] = relationship(foreign_keys=[member_id], lazy="raise")
    decided_by: Mapped[Member | None] = relationship(foreign_keys=[decided_by_id], lazy="raise")

    __table_args__ = (
        Index(
            "uq_appeals_action_id_open",
            "action_id",
            unique=True,
            postgresql_where=sql_text(f"status = '{AppealStatus.OPEN.value}'"),
            sqlite_where=sql_text(f"status = '{AppealStatus.OPEN.value}'"),
        ),
    )


class RemovedMembership(Base):
    """A channel a ban removed the member from, to restore when it is lifted."""

    __tablename__ = "removed_memberships"

    id: Mapped[int] = mapped_column(primary_key=True)
    action_id: Mapped[int] = mapped_column(ForeignKey("enforcement_actions.id", ondelete="CASCADE"))
    member_id: Mapped[int] = member_fk()
    channel_id: Mapped[str] = mapped_column(String(SLACK_ID_LEN))
    removed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    restored_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    restore_error: Mapped[str | None] = mapped_column(Text)

    action: Mapped[EnforcementAction] = relationship(
        back_populates="removed_memberships", lazy="raise"
    )
    member: Mapped[Member] = relationship(lazy="raise")

    __table_args__ = (UniqueConstraint("action_id", "channel_id"),)
