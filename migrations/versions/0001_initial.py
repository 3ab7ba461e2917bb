"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-25

Generated with autogenerate, then edited by hand:
- string enums are written as VARCHAR(32) plus an explicitly named CHECK,
  so this revision keeps meaning the same thing when the Python enums grow
  (adding a value needs a new revision that replaces the CHECK);
- indexes are created with plain op.create_index (no batch needed);
- the append-only triggers on audit_events are added (autogenerate does
  not see triggers). Keep their SQL in step with models/audit.py.

Note for later SQLite revisions: a batch operation on audit_events copies
and recreates the table, which drops its triggers; re-create them there.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

POLICIES = (
    "self_promotion",
    "funds_request",
    "geopolitics",
    "harassment",
    "private_info",
    "anonymous_account",
)


def _enum(
    column: str, values: Sequence[str], table: str, *, nullable: bool = False
) -> list[sa.schema.SchemaItem]:
    """A VARCHAR(32) column and its named CHECK (col IN (...))."""
    allowed = ", ".join(f"'{value}'" for value in values)
    return [
        sa.Column(column, sa.String(length=32), nullable=nullable),
        sa.CheckConstraint(f"{column} IN ({allowed})", name=op.f(f"ck_{table}_{column}")),
    ]


PG_FUNCTION = """\
CREATE OR REPLACE FUNCTION conduct_audit_events_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_events is append-only: % refused', TG_OP
        USING ERRCODE = 'integrity_constraint_violation';
END;
$$"""
PG_TRIGGER = """\
CREATE TRIGGER audit_events_append_only
BEFORE UPDATE OR DELETE ON audit_events
FOR EACH ROW EXECUTE FUNCTION conduct_audit_events_append_only()"""
SQLITE_TRIGGERS = (
    """\
CREATE TRIGGER audit_events_no_update
BEFORE UPDATE ON audit_events
BEGIN
    SELECT RAISE(ABORT, 'audit_events is append-only: UPDATE refused');
END""",
    """\
CREATE TRIGGER audit_events_no_delete
BEFORE DELETE ON audit_events
BEGIN
    SELECT RAISE(ABORT, 'audit_events is append-only: DELETE refused');
END""",
)


def upgrade() -> None:
    op.create_table(
        "members",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slack_user_id", sa.String(length=32), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("real_name", sa.String(length=255), nullable=False),
        sa.Column("display_name", sa.String(length=255), nullable=True),
        sa.Column("is_bot", sa.Boolean(), nullable=False),
        sa.Column("is_deleted", sa.Boolean(), nullable=False),
        sa.Column("first_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        *_enum(
            "name_check_status", ("ok", "needs_fix", "dm_sent", "fixed"), "members", nullable=True
        ),
        sa.Column("name_checked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("name_dm_sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_members")),
        sa.UniqueConstraint("slack_user_id", name=op.f("uq_members_slack_user_id")),
    )

    op.create_table(
        "processed_events",
        sa.Column("event_id", sa.String(length=255), nullable=False),
        sa.Column("kind", sa.String(length=64), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("event_id", name=op.f("pk_processed_events")),
    )
    op.create_index(op.f("ix_processed_events_received_at"), "processed_events", ["received_at"])

    op.create_table(
        "cases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("subject_id", sa.Integer(), nullable=False),
        sa.Column("channel_id", sa.String(length=32), nullable=True),
        sa.Column("message_ts", sa.String(length=32), nullable=True),
        *_enum("policy", POLICIES, "cases", nullable=True),
        *_enum("status", ("open", "triaged", "resolved", "dismissed"), "cases"),
        sa.Column("assignee_id", sa.Integer(), nullable=True),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("first_response_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("dismiss_reason", sa.Text(), nullable=True),
        sa.Column("card_channel_id", sa.String(length=32), nullable=True),
        sa.Column("card_ts", sa.String(length=32), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["subject_id"],
            ["members.id"],
            name=op.f("fk_cases_subject_id_members"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["assignee_id"],
            ["members.id"],
            name=op.f("fk_cases_assignee_id_members"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cases")),
    )
    op.create_index("ix_cases_status", "cases", ["status"])
    op.create_index(
        "ix_cases_subject_id_channel_id_message_ts",
        "cases",
        ["subject_id", "channel_id", "message_ts"],
    )

    op.create_table(
        "audit_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor_slack_id", sa.String(length=32), nullable=True),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("subject_slack_id", sa.String(length=32), nullable=True),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["cases.id"],
            name=op.f("fk_audit_events_case_id_cases"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_events")),
    )
    op.create_index(op.f("ix_audit_events_case_id"), "audit_events", ["case_id"])
    op.create_index(op.f("ix_audit_events_occurred_at"), "audit_events", ["occurred_at"])
    op.create_index(op.f("ix_audit_events_subject_slack_id"), "audit_events", ["subject_slack_id"])
    if op.get_context().dialect.name == "postgresql":
        op.execute(PG_FUNCTION)
        op.execute(PG_TRIGGER)
    else:
        for statement in SQLITE_TRIGGERS:
            op.execute(statement)

    op.create_table(
        "detections",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("channel_id", sa.String(length=32), nullable=False),
        sa.Column("message_ts", sa.String(length=32), nullable=False),
        sa.Column("thread_ts", sa.String(length=32), nullable=True),
        *_enum("policy", POLICIES, "detections"),
        sa.Column("score", sa.Float(), nullable=False),
        *_enum("response", ("none", "nudge", "flag", "nudge_flag"), "detections"),
        *_enum("mode", ("enforce", "shadow"), "detections"),
        sa.Column("evidence_start", sa.Integer(), nullable=True),
        sa.Column("evidence_end", sa.Integer(), nullable=True),
        sa.Column("clause", sa.String(length=255), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("false_positive_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("false_positive_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "(evidence_start IS NULL AND evidence_end IS NULL)"
            " OR (evidence_start IS NOT NULL AND evidence_end IS NOT NULL"
            " AND evidence_start >= 0 AND evidence_end >= evidence_start)",
            name=op.f("ck_detections_evidence_span"),
        ),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["members.id"],
            name=op.f("fk_detections_member_id_members"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_detections_case_id_cases"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["false_positive_by_id"],
            ["members.id"],
            name=op.f("fk_detections_false_positive_by_id_members"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_detections")),
        sa.UniqueConstraint(
            "channel_id",
            "message_ts",
            "policy",
            name=op.f("uq_detections_channel_id_message_ts_policy"),
        ),
    )
    op.create_index(op.f("ix_detections_case_id"), "detections", ["case_id"])
    op.create_index("ix_detections_member_id_created_at", "detections", ["member_id", "created_at"])

    op.create_table(
        "enforcement_actions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        *_enum(
            "level",
            ("correction", "warning", "temporary_ban", "permanent_ban", "no_action"),
            "enforcement_actions",
        ),
        *_enum("status", ("active", "lifted", "expired", "overturned"), "enforcement_actions"),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("notice", sa.Text(), nullable=False),
        sa.Column("no_contact_user_ids", sa.JSON(), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_by_id", sa.Integer(), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("lifted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("lifted_by_id", sa.Integer(), nullable=True),
        sa.Column("backend", sa.String(length=32), nullable=False),
        sa.Column("enforcement_steps", sa.JSON(), nullable=False),
        sa.Column("skipped_step_justification", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "level != 'temporary_ban' OR expires_at IS NOT NULL",
            name=op.f("ck_enforcement_actions_temporary_ban_expires"),
        ),
        sa.CheckConstraint(
            "expires_at IS NULL OR level IN ('temporary_ban', 'warning')",
            name=op.f("ck_enforcement_actions_expiry_only_when_timed"),
        ),
        sa.CheckConstraint(
            "expires_at IS NULL OR expires_at > starts_at",
            name=op.f("ck_enforcement_actions_expires_after_start"),
        ),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["cases.id"],
            name=op.f("fk_enforcement_actions_case_id_cases"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["members.id"],
            name=op.f("fk_enforcement_actions_member_id_members"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"],
            ["members.id"],
            name=op.f("fk_enforcement_actions_decided_by_id_members"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["lifted_by_id"],
            ["members.id"],
            name=op.f("fk_enforcement_actions_lifted_by_id_members"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_enforcement_actions")),
    )
    op.create_index(
        "ix_enforcement_actions_member_id_decided_at",
        "enforcement_actions",
        ["member_id", "decided_at"],
    )
    op.create_index(
        "ix_enforcement_actions_status_expires_at", "enforcement_actions", ["status", "expires_at"]
    )

    op.create_table(
        "reports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reporter_id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=True),
        *_enum("source", ("command", "shortcut", "dm_fallback"), "reports"),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("message_link", sa.Text(), nullable=True),
        sa.Column("channel_id", sa.String(length=32), nullable=True),
        sa.Column("message_ts", sa.String(length=32), nullable=True),
        sa.Column("occurred_when", sa.String(length=255), nullable=True),
        sa.Column("extra", sa.Text(), nullable=True),
        sa.Column("contact_preference", sa.String(length=255), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["reporter_id"],
            ["members.id"],
            name=op.f("fk_reports_reporter_id_members"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_reports_case_id_cases"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reports")),
    )
    op.create_index(op.f("ix_reports_case_id"), "reports", ["case_id"])

    op.create_table(
        "appeals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("action_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        *_enum("status", ("open", "upheld", "overturned"), "appeals"),
        sa.Column("filed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decision_note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["action_id"],
            ["enforcement_actions.id"],
            name=op.f("fk_appeals_action_id_enforcement_actions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["members.id"],
            name=op.f("fk_appeals_member_id_members"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"],
            ["members.id"],
            name=op.f("fk_appeals_decided_by_id_members"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_appeals")),
    )
    op.create_index(op.f("ix_appeals_action_id"), "appeals", ["action_id"])
    # at most one OPEN appeal per action (a partial unique index)
    op.create_index(
        "uq_appeals_action_id_open",
        "appeals",
        ["action_id"],
        unique=True,
        postgresql_where=sa.text("status = 'open'"),
        sqlite_where=sa.text("status = 'open'"),
    )

    op.create_table(
        "nudges",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("detection_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        *_enum("policy", POLICIES, "nudges"),
        *_enum("status", ("sent", "suppressed", "failed", "shadow"), "nudges"),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("acknowledged_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["detection_id"],
            ["detections.id"],
            name=op.f("fk_nudges_detection_id_detections"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["members.id"],
            name=op.f("fk_nudges_member_id_members"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_nudges")),
        sa.UniqueConstraint("detection_id", name=op.f("uq_nudges_detection_id")),
    )
    op.create_index(
        "ix_nudges_member_id_policy_sent_at", "nudges", ["member_id", "policy", "sent_at"]
    )

    op.create_table(
        "removed_memberships",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("action_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("channel_id", sa.String(length=32), nullable=False),
        sa.Column("removed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("restored_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("restore_error", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["action_id"],
            ["enforcement_actions.id"],
            name=op.f("fk_removed_memberships_action_id_enforcement_actions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["members.id"],
            name=op.f("fk_removed_memberships_member_id_members"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_removed_memberships")),
        sa.UniqueConstraint(
            "action_id", "channel_id", name=op.f("uq_removed_memberships_action_id_channel_id")
        ),
    )

    op.create_table(
        "report_subjects",
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["report_id"],
            ["reports.id"],
            name=op.f("fk_report_subjects_report_id_reports"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["members.id"],
            name=op.f("fk_report_subjects_member_id_members"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("report_id", "member_id", name=op.f("pk_report_subjects")),
    )
    op.create_index(op.f("ix_report_subjects_member_id"), "report_subjects", ["member_id"])


def downgrade() -> None:
    # Dropping a table drops its indexes and triggers with it.
    op.drop_table("report_subjects")
    op.drop_table("removed_memberships")
    op.drop_table("nudges")
    op.drop_table("appeals")
    op.drop_table("reports")
    op.drop_table("enforcement_actions")
    op.drop_table("detections")
    op.drop_table("audit_events")
    if op.get_context().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS conduct_audit_events_append_only()")
    op.drop_table("cases")
    op.drop_table("processed_events")
    op.drop_table("members")
