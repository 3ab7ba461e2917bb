"""Everything a policy may read about one message, computed at most once and only when a
policy in scope asks for it."""

from __future__ import annotations

from collections.abc import Mapping
from functools import cached_property

from moderation.ids import PolicyId
from moderation.message import Message
from moderation.pii import PiiDetector, PiiMatch
from moderation.text import FoldedText, SlackText, fold, normalize, parse_slack_text

_DEFAULT_PII_DETECTOR = PiiDetector()


class MessageSignals:
    def __init__(
        self,
        message: Message,
        classifier_scores: Mapping[PolicyId, float] | None = None,
        *,
        pii_detector: PiiDetector | None = None,
    ) -> None:
        self.message = message
        self._classifier_scores = classifier_scores
        self._pii_detector = pii_detector or _DEFAULT_PII_DETECTOR

    @cached_property
    def slack(self) -> SlackText:
        return parse_slack_text(self.message.text)

    @property
    def plain(self) -> str:
        """What a person reads: links as labels, entities unescaped."""
        return self.slack.plain

    @property
    def prose(self) -> str:
        """`plain` without code and quoted lines: quoting someone is not saying it."""
        return self.slack.prose

    @cached_property
    def normalized(self) -> str:
        return normalize(self.prose)

    @cached_property
    def folded(self) -> FoldedText:
        """Prose folded against evasion (homoglyphs, leetspeak, spaced letters)."""
        return fold(self.prose)

    @cached_property
    def pii(self) -> tuple[PiiMatch, ...]:
        """E-mail addresses, phone numbers and street addresses in the prose, in order,
        with spans in `plain`. Whose they are is for the policy to judge."""
        return self._pii_detector.find(self.slack)

    @cached_property
    def domains(self) -> tuple[str, ...]:
        return self.slack.domains

    def classifier_score(self, policy: PolicyId) -> float:
        if self._classifier_scores is None:
            raise RuntimeError(f"{policy} asked for a classifier score the engine did not compute")
        return self._classifier_scores.get(policy, 0.0)
