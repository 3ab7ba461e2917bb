"""case notes; where an appeal's card was posted

- case_notes: moderators' internal notes on a case ("Add note" on the card).
- appeals.card_channel_id / card_ts: the appeal's card in the moderators' (or leadership)
  channel is redrawn in place when it is decided.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "case_notes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("author_slack_id", sa.String(length=32), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_case_notes_case_id_cases"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_notes")),
    )
    op.create_index(op.f("ix_case_notes_case_id"), "case_notes", ["case_id"], unique=False)
    op.add_column("appeals", sa.Column("card_channel_id", sa.String(length=32), nullable=True))
    op.add_column("appeals", sa.Column("card_ts", sa.String(length=32), nullable=True))


def downgrade() -> None:
    op.drop_column("appeals", "card_ts")
    op.drop_column("appeals", "card_channel_id")
    op.drop_table("case_notes")
