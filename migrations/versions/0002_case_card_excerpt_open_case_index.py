"""detection excerpts for case cards; one open case per member and message

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25

- detections.excerpt: the moderators' case card quotes the message it is about, and a card
  is redrawn (chat.update) long after the event that carried the text is gone.
- uq_cases_open_per_message: a partial unique index, so a report and a detection about the
  same message, or two replicas handling them at once, join one open case.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OPEN_PER_MESSAGE = sa.text("message_ts IS NOT NULL AND status IN ('open', 'triaged')")


def upgrade() -> None:
    op.add_column("detections", sa.Column("excerpt", sa.Text(), nullable=True))
    op.create_index(
        "uq_cases_open_per_message",
        "cases",
        ["subject_id", "channel_id", "message_ts"],
        unique=True,
        sqlite_where=OPEN_PER_MESSAGE,
        postgresql_where=OPEN_PER_MESSAGE,
    )


def downgrade() -> None:
    op.drop_index("uq_cases_open_per_message", table_name="cases")
    # Plain DROP COLUMN (SQLite >= 3.35): a batch "copy and recreate" of detections would
    # delete its nudges through their ON DELETE CASCADE.
    op.drop_column("detections", "excerpt")
