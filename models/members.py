"""Members (as we know them from Slack) and processed Slack deliveries."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, String
from sqlalchemy.orm import Mapped, mapped_column

from models._columns import SHORT_TEXT_LEN, SLACK_ID_LEN
from models.db import Base, UTCDateTime, str_enum, utcnow
from models.enums import NameCheckStatus


class Member(Base):
    """A Slack user. Names live here, in our own database, and never in logs
    (no ``__repr__`` shows them)."""

    __tablename__ = "members"

    id: Mapped[int] = mapped_column(primary_key=True)
    slack_user_id: Mapped[str] = mapped_column(String(SLACK_ID_LEN), unique=True)
    team_id: Mapped[str] = mapped_column(String(SLACK_ID_LEN))
    real_name: Mapped[str] = mapped_column(String(SHORT_TEXT_LEN), default="")
    display_name: Mapped[str | None] = mapped_column(String(SHORT_TEXT_LEN))
    is_bot: Mapped[bool] = mapped_column(Boolean, default=False)
    is_deleted: Mapped[bool] = mapped_column(Boolean, default=False)
    first_seen_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    name_check_status: Mapped[NameCheckStatus | None] = mapped_column(
        str_enum(NameCheckStatus, "name_check_status")
    )
    name_checked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    name_dm_sent_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


class ProcessedEvent(Base):
    """One row per Slack delivery handled. Inserting a duplicate ``event_id``
    fails (primary key), which is how Slack's retries are dropped."""

    __tablename__ = "processed_events"

    event_id: Mapped[str] = mapped_column(String(SHORT_TEXT_LEN), primary_key=True)
    kind: Mapped[str] = mapped_column(String(64))
    received_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
