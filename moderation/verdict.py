"""What the engine answers: findings, one per policy that applies, and what to do."""

from __future__ import annotations

from dataclasses import dataclass

from moderation.ids import PolicyId, Response


@dataclass(frozen=True)
class Span:
    """Characters [start, end) of the message's plain text that show the problem."""

    start: int
    end: int


@dataclass(frozen=True)
class Finding:
    policy: PolicyId
    score: float
    """How sure the engine is that the policy applies, from 0 to 1."""
    response: Response
    clause: str
    """The guideline sentence the policy enforces, quoted for members and moderators."""
    evidence: Span | None = None
    reason: str = ""
    """A short, content-free explanation (e.g. "crowdfunding link"); safe to log."""


def combine(responses: list[Response]) -> Response:
    nudge = any(r in (Response.NUDGE, Response.NUDGE_FLAG) for r in responses)
    flag = any(r in (Response.FLAG, Response.NUDGE_FLAG) for r in responses)
    if nudge and flag:
        return Response.NUDGE_FLAG
    if flag:
        return Response.FLAG
    if nudge:
        return Response.NUDGE
    return Response.NONE


@dataclass(frozen=True)
class Verdict:
    findings: tuple[Finding, ...] = ()

    @property
    def response(self) -> Response:
        return combine([f.response for f in self.findings])

    def finding(self, policy: PolicyId) -> Finding | None:
        return next((f for f in self.findings if f.policy == policy), None)
