"""Column helpers shared by the model modules (lengths, foreign keys, JSON lists)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer
from sqlalchemy.ext.mutable import MutableList
from sqlalchemy.orm import MappedColumn, mapped_column

#: Slack ids (users, channels, teams) are ~9-11 characters today; leave headroom.
SLACK_ID_LEN = 32
#: Slack message timestamps look like "1700000000.123456".
SLACK_TS_LEN = 32
#: Short free text: names, a clause, "when did it happen".
SHORT_TEXT_LEN = 255


def member_fk(
    *, nullable: bool = False, ondelete: str = "RESTRICT", **kw: Any
) -> MappedColumn[Any]:
    """A reference to members.id. Members are never deleted (is_deleted is a flag),
    so references default to RESTRICT."""
    return mapped_column(
        Integer, ForeignKey("members.id", ondelete=ondelete), nullable=nullable, **kw
    )


def json_list() -> MappedColumn[Any]:
    """A JSON array, default ``[]``; in-place ``append`` is tracked by the ORM."""
    return mapped_column(MutableList.as_mutable(JSON()), nullable=False, default=list)
