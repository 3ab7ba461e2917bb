"""lift progress on actions; no-contact violations on cases

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25

- enforcement_actions.lift_started_at / lift_finished_at: lifting a ban is claimed, then
  carried out on Slack, then marked finished; a lift whose process died between the two is
  found by the sweep and finished.
- cases.no_contact_violations: how often the member broke the no-contact terms of the
  case's warning or ban.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "enforcement_actions",
        sa.Column("lift_started_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.add_column(
        "enforcement_actions",
        sa.Column("lift_finished_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.add_column(
        "cases",
        sa.Column("no_contact_violations", sa.Integer(), server_default="0", nullable=False),
    )


def downgrade() -> None:
    # Plain DROP COLUMN (SQLite >= 3.35): a batch "copy and recreate" of these tables would
    # fire their foreign keys' ON DELETE actions on the rows of other tables.
    op.drop_column("cases", "no_contact_violations")
    op.drop_column("enforcement_actions", "lift_finished_at")
    op.drop_column("enforcement_actions", "lift_started_at")
