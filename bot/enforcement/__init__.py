"""Carrying a decision out on Slack. One backend per deployment, chosen in conduct.toml."""

from bot.enforcement.base import EnforcementBackend, EnforcementRequest, Step
from bot.enforcement.notify import NotifyBackend

__all__ = ["EnforcementBackend", "EnforcementRequest", "NotifyBackend", "Step"]
