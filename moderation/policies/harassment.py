from __future__ import annotations

from moderation.ids import PolicyId
from moderation.policies.classified import ClassifiedPolicy


class HarassmentPolicy(ClassifiedPolicy):
    """Insults and personal attacks, slurs, discriminatory or dehumanising remarks,
    sexualised language or advances, threats; everywhere. Untargeted profanity is not it."""

    id = PolicyId.HARASSMENT
    clause = (
        "Trolling, insulting, discriminatory or derogatory comments, personal attacks, "
        "harassment and sexualized language or advances are not acceptable."
    )
    reason = "harassing or discriminatory language"
