from __future__ import annotations

from moderation.ids import PolicyId
from moderation.policies.classified import ClassifiedPolicy


class FundsRequestPolicy(ClassifiedPolicy):
    """Asking members for money (donations, crowdfunding, tips, payment for access,
    sponsorship) in every channel, the plugs channel included. Talking about funding is fine."""

    id = PolicyId.FUNDS_REQUEST
    clause = "Direct requests for funds are prohibited."
    reason = "request for money"
