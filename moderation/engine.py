"""Engine.check(message) -> Verdict: scope, signals once, policies, thresholds."""

from __future__ import annotations

from collections.abc import Sequence

from moderation.classifier import Classifier, LazyClassifier
from moderation.config import EngineConfig
from moderation.ids import PolicyId, Response
from moderation.message import Account, Message
from moderation.policies import account_policies, message_policies
from moderation.policies.base import AccountPolicy, Assessment, MessagePolicy
from moderation.signals import MessageSignals
from moderation.verdict import Finding, Verdict


class Engine:
    def __init__(
        self,
        config: EngineConfig,
        classifier: Classifier | LazyClassifier | None = None,
        *,
        policies: Sequence[MessagePolicy] | None = None,
        accounts: Sequence[AccountPolicy] | None = None,
    ) -> None:
        self.config = config
        self._classifier = classifier
        self._policies = tuple(policies if policies is not None else message_policies())
        self._account_policies = tuple(accounts if accounts is not None else account_policies())

    @classmethod
    def load(cls, config: EngineConfig | None = None) -> Engine:
        """The production engine; the encoder loads on the first message that needs it."""
        return cls(config or EngineConfig(), LazyClassifier())

    def _classifier_ready(self) -> Classifier:
        if self._classifier is None:
            raise RuntimeError("this engine was built without a classifier")
        if isinstance(self._classifier, LazyClassifier):
            return self._classifier.get()
        return self._classifier

    def in_scope(self, channel: str) -> list[MessagePolicy]:
        scopes = self.config.channels
        return [
            p
            for p in self._policies
            if self.config.policy(p.id).enabled and p.in_scope(channel, scopes)
        ]

    def check(self, message: Message) -> Verdict:
        return self.check_batch([message])[0]

    def check_batch(self, messages: Sequence[Message], batch_size: int = 32) -> list[Verdict]:
        """One encoder pass for every message that has a classifier policy in scope."""
        scoped = [self.in_scope(m.channel) for m in messages]
        needs_model = [
            i for i, policies in enumerate(scoped) if any(p.uses_classifier for p in policies)
        ]
        scores: dict[int, dict[PolicyId, float]] = {}
        if needs_model:
            classifier = self._classifier_ready()
            results = classifier.score(
                [messages[i].text for i in needs_model], batch_size=batch_size
            )
            scores = dict(zip(needs_model, results, strict=True))
        verdicts = []
        for i, message in enumerate(messages):
            signals = MessageSignals(message, scores.get(i))
            findings = [
                finding
                for policy in scoped[i]
                if (finding := self._finding(policy.id, policy.clause, policy.evaluate(signals)))
            ]
            verdicts.append(Verdict(tuple(findings)))
        return verdicts

    def check_account(self, account: Account) -> Verdict:
        findings = [
            finding
            for policy in self._account_policies
            if self.config.policy(policy.id).enabled
            and (
                finding := self._finding(policy.id, policy.clause, policy.evaluate_account(account))
            )
        ]
        return Verdict(tuple(findings))

    def _finding(
        self, policy: PolicyId, clause: str, assessment: Assessment | None
    ) -> Finding | None:
        if assessment is None:
            return None
        thresholds = self.config.policy(policy)
        nudge = (
            thresholds.nudge_threshold is not None
            and assessment.score >= thresholds.nudge_threshold
        )
        flag = (
            thresholds.flag_threshold is not None and assessment.score >= thresholds.flag_threshold
        )
        if not (nudge or flag):
            return None
        response = (
            Response.NUDGE_FLAG if nudge and flag else Response.FLAG if flag else Response.NUDGE
        )
        return Finding(
            policy=policy,
            score=round(assessment.score, 4),
            response=response,
            clause=clause,
            evidence=assessment.evidence,
            reason=assessment.reason,
        )
