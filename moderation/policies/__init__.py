"""The six policies. Each module holds one, with its id, its guideline clause and its scope;
FILTERS-DEVELOPMENT.md (next to this package) says where each kind of change goes."""

from __future__ import annotations

from moderation.policies.base import AccountPolicy, MessagePolicy


def message_policies() -> list[MessagePolicy]:
    from moderation.policies.funds_request import FundsRequestPolicy
    from moderation.policies.geopolitics import GeopoliticsPolicy
    from moderation.policies.harassment import HarassmentPolicy
    from moderation.policies.private_info import PrivateInfoPolicy
    from moderation.policies.self_promotion import SelfPromotionPolicy

    return [
        SelfPromotionPolicy(),
        FundsRequestPolicy(),
        GeopoliticsPolicy(),
        HarassmentPolicy(),
        PrivateInfoPolicy(),
    ]


def account_policies() -> list[AccountPolicy]:
    from moderation.policies.anonymous_account import AnonymousAccountPolicy

    return [AnonymousAccountPolicy()]
