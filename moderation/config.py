"""What the engine needs from the community's rules: thresholds and channel scopes.

The bot reads these from `conduct.toml` (bot/settings.py); the engine only sees this
plain, validated form.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from moderation.ids import PolicyId


@dataclass(frozen=True)
class PolicyThresholds:
    """`None` switches that response off for the policy."""

    enabled: bool = True
    nudge_threshold: float | None = 0.8
    flag_threshold: float | None = None


# Harassment flags below its nudge: 0.60 is the head's review point (classifier.REVIEW_SCORE,
# 0.90 precision on our own examples), where a message is worth a moderator's look but not
# telling its author they harassed someone. Other policies flag only when surer than a nudge.
DEFAULT_THRESHOLDS: Mapping[PolicyId, PolicyThresholds] = {
    PolicyId.SELF_PROMOTION: PolicyThresholds(True, 0.80, None),
    PolicyId.FUNDS_REQUEST: PolicyThresholds(True, 0.80, 0.95),
    PolicyId.GEOPOLITICS: PolicyThresholds(True, 0.80, None),
    PolicyId.HARASSMENT: PolicyThresholds(True, 0.80, 0.60),
    PolicyId.PRIVATE_INFO: PolicyThresholds(True, 0.80, 0.80),
    PolicyId.ANONYMOUS_ACCOUNT: PolicyThresholds(True, 0.80, None),
}


@dataclass(frozen=True)
class ChannelScopes:
    """Channel names (without '#') that change what a policy covers."""

    shameless_plugs: str = "shameless-plugs"
    general_discussions: frozenset[str] = frozenset({"general-discussions"})


@dataclass(frozen=True)
class EngineConfig:
    thresholds: Mapping[PolicyId, PolicyThresholds] = field(
        default_factory=lambda: dict(DEFAULT_THRESHOLDS)
    )
    channels: ChannelScopes = field(default_factory=ChannelScopes)

    def policy(self, policy: PolicyId) -> PolicyThresholds:
        return self.thresholds.get(policy, DEFAULT_THRESHOLDS[policy])
