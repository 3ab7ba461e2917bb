"""Words members and moderators see for each policy, in our own voice."""

from __future__ import annotations

from moderation.ids import PolicyId

#: Short names for cards, App Home and reports.
POLICY_TITLES: dict[PolicyId, str] = {
    PolicyId.SELF_PROMOTION: "Self-promotion outside #shameless-plugs",
    PolicyId.FUNDS_REQUEST: "Request for money",
    PolicyId.GEOPOLITICS: "Geopolitics in a tech-policy channel",
    PolicyId.HARASSMENT: "Harassment or discriminatory language",
    PolicyId.PRIVATE_INFO: "Someone's private information",
    PolicyId.ANONYMOUS_ACCOUNT: "Anonymous or organisation-only name",
}

#: What the member disputes on the nudge's second button: "This isn't <rule>".
NOT_A_MATCH: dict[PolicyId, str] = {
    PolicyId.SELF_PROMOTION: "This isn't a plug",
    PolicyId.FUNDS_REQUEST: "This isn't asking for money",
    PolicyId.GEOPOLITICS: "This isn't geopolitics",
    PolicyId.HARASSMENT: "This isn't harassment",
    PolicyId.PRIVATE_INFO: "This isn't private info",
    PolicyId.ANONYMOUS_ACCOUNT: "This is my real name",
}
