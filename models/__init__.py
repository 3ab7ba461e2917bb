"""SQLAlchemy models for conduct, and the engine/session helpers."""

from models.audit import AppendOnlyViolation, AuditEvent
from models.cases import Case, CaseNote, Report, report_subjects
from models.db import (
    Base,
    UTCDateTime,
    make_engine,
    make_session_factory,
    normalize_database_url,
    session_scope,
    utcnow,
)
from models.detections import Detection, Nudge
from models.enforcement import Appeal, EnforcementAction, RemovedMembership
from models.enums import (
    ActionLevel,
    ActionStatus,
    AppealStatus,
    CaseStatus,
    Mode,
    NameCheckStatus,
    NudgeStatus,
    PolicyId,
    ReportSource,
    Response,
)
from models.members import Member, ProcessedEvent

__all__ = [
    "ActionLevel",
    "ActionStatus",
    "Appeal",
    "AppealStatus",
    "AppendOnlyViolation",
    "AuditEvent",
    "Base",
    "Case",
    "CaseNote",
    "CaseStatus",
    "Detection",
    "EnforcementAction",
    "Member",
    "Mode",
    "NameCheckStatus",
    "Nudge",
    "NudgeStatus",
    "PolicyId",
    "ProcessedEvent",
    "RemovedMembership",
    "Report",
    "ReportSource",
    "Response",
    "UTCDateTime",
    "make_engine",
    "make_session_factory",
    "normalize_database_url",
    "report_subjects",
    "session_scope",
    "utcnow",
]
