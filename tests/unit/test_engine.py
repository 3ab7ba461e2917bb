"""Engine logic (scope, thresholds, batching, responses) with a tiny deterministic encoder,
so these tests say nothing about model quality: `python -m moderation.evaluate` does."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pytest
from numpy.typing import NDArray

from moderation.classifier import Classifier, Head, rescale
from moderation.config import ChannelScopes, EngineConfig, PolicyThresholds
from moderation.engine import Engine
from moderation.ids import PolicyId, Response
from moderation.message import Account, Message

KEYWORDS = {
    PolicyId.SELF_PROMOTION: "buy",
    PolicyId.FUNDS_REQUEST: "donate",
    PolicyId.GEOPOLITICS: "war",
    PolicyId.HARASSMENT: "idiot",
}
ORDER = list(KEYWORDS)


class KeywordEncoder:
    """One dimension per policy keyword: 1 when the word is present."""

    dim = len(ORDER)

    def __init__(self) -> None:
        self.calls: list[int] = []

    def embed(self, texts: Sequence[str], batch_size: int = 32) -> NDArray[np.float32]:
        self.calls.append(len(texts))
        return np.array(
            [[1.0 if KEYWORDS[p] in t else 0.0 for p in ORDER] for t in texts], dtype=np.float32
        )


def heads() -> dict[PolicyId, Head]:
    out = {}
    for i, policy in enumerate(ORDER):
        weights = np.zeros(len(ORDER), dtype=np.float32)
        weights[i] = 10.0
        # sigmoid(10 - 5) ~ 0.993 when the word is there, sigmoid(-5) ~ 0.007 when not.
        out[policy] = Head(policy, weights, -5.0, operating_threshold=0.5, meta={})
    return out


@pytest.fixture
def encoder() -> KeywordEncoder:
    return KeywordEncoder()


@pytest.fixture
def engine(encoder: KeywordEncoder) -> Engine:
    return Engine(EngineConfig(), Classifier(encoder, heads()))


def policies_of(engine: Engine, text: str, channel: str) -> set[PolicyId]:
    return {f.policy for f in engine.check(Message(text, channel)).findings}


def test_plug_is_fine_in_the_plugs_channel_and_nudged_elsewhere(engine: Engine) -> None:
    plug = "buy my course today, only this week"
    assert policies_of(engine, plug, "shameless-plugs") == set()
    assert policies_of(engine, plug, "random") == {PolicyId.SELF_PROMOTION}


def test_funds_requests_are_in_scope_in_every_channel(engine: Engine) -> None:
    for channel in ("shameless-plugs", "random", "general-discussions"):
        assert PolicyId.FUNDS_REQUEST in policies_of(engine, "please donate", channel)


def test_geopolitics_applies_only_in_general_discussions(engine: Engine) -> None:
    assert policies_of(engine, "the war", "general-discussions") == {PolicyId.GEOPOLITICS}
    assert policies_of(engine, "the war", "random") == set()


def test_configured_general_channels_extend_the_geopolitics_scope(encoder: KeywordEncoder) -> None:
    config = EngineConfig(channels=ChannelScopes(general_discussions=frozenset({"lobby"})))
    engine = Engine(config, Classifier(encoder, heads()))
    assert policies_of(engine, "the war", "lobby") == {PolicyId.GEOPOLITICS}
    assert policies_of(engine, "the war", "general-discussions") == set()


def test_thresholds_decide_nudge_flag_or_both(encoder: KeywordEncoder) -> None:
    config = EngineConfig(
        thresholds={
            PolicyId.HARASSMENT: PolicyThresholds(True, nudge_threshold=0.7, flag_threshold=0.85),
            PolicyId.FUNDS_REQUEST: PolicyThresholds(
                True, nudge_threshold=None, flag_threshold=0.8
            ),
            PolicyId.SELF_PROMOTION: PolicyThresholds(
                True, nudge_threshold=0.8, flag_threshold=None
            ),
        }
    )
    engine = Engine(config, Classifier(encoder, heads()))
    verdict = engine.check(Message("you idiot, donate and buy", "random"))
    responses = {f.policy: f.response for f in verdict.findings}
    assert responses == {
        PolicyId.HARASSMENT: Response.NUDGE_FLAG,
        PolicyId.FUNDS_REQUEST: Response.FLAG,
        PolicyId.SELF_PROMOTION: Response.NUDGE,
    }
    assert verdict.response is Response.NUDGE_FLAG


def test_disabled_policy_is_never_evaluated(encoder: KeywordEncoder) -> None:
    config = EngineConfig(thresholds={PolicyId.HARASSMENT: PolicyThresholds(enabled=False)})
    engine = Engine(config, Classifier(encoder, heads()))
    assert policies_of(engine, "you idiot", "random") == set()


def test_ordinary_message_gets_no_findings(engine: Engine) -> None:
    verdict = engine.check(Message("see you at the meetup tomorrow", "random"))
    assert verdict.findings == ()
    assert verdict.response is Response.NONE


def test_batch_uses_one_encoder_pass_and_keeps_order(
    engine: Engine, encoder: KeywordEncoder
) -> None:
    messages = [
        Message("buy now before the price goes up", "random"),
        Message("hello", "random"),
        Message("the war", "general-discussions"),
    ]
    verdicts = engine.check_batch(messages)
    assert [tuple(f.policy for f in v.findings) for v in verdicts] == [
        (PolicyId.SELF_PROMOTION,),
        (),
        (PolicyId.GEOPOLITICS,),
    ]
    assert encoder.calls == [3]


def test_code_and_quotes_are_not_read_as_the_authors_words(
    engine: Engine, encoder: KeywordEncoder
) -> None:
    assert engine.check(Message("```buy now```", "random")).findings == ()
    assert engine.check(Message("&gt; you idiot", "random")).findings == ()
    assert encoder.calls == [], "empty prose is not sent to the encoder"


def test_direct_messages_are_not_plugs(engine: Engine) -> None:
    assert PolicyId.SELF_PROMOTION not in policies_of(engine, "buy my course", "")


def test_rescale_puts_the_operating_point_at_point_eight() -> None:
    values = rescale(np.array([0.0, 0.3, 0.6, 1.0]), threshold=0.6)
    assert values.tolist() == pytest.approx([0.0, 0.4, 0.8, 1.0])
    assert list(values) == sorted(values)


def test_a_review_point_lands_at_point_six_below_the_operating_point() -> None:
    values = rescale(np.array([0.0, 0.1, 0.2, 0.4, 0.6, 1.0]), threshold=0.6, review=0.2)
    assert values.tolist() == pytest.approx([0.0, 0.3, 0.6, 0.7, 0.8, 1.0])
    assert list(values) == sorted(values)
    # A review point at or above the operating point is ignored: the scale has one anchor.
    same = rescale(np.array([0.3, 0.6]), threshold=0.6, review=0.6)
    assert same.tolist() == pytest.approx([0.4, 0.8])


def test_harassment_between_its_review_and_operating_points_is_flagged_not_nudged() -> None:
    weights = np.zeros(len(ORDER), dtype=np.float32)
    weights[ORDER.index(PolicyId.HARASSMENT)] = 10.0
    # The keyword gives sigmoid(5) ~ 0.993: under the operating point (0.999), above review.
    head = Head(
        PolicyId.HARASSMENT, weights, -5.0, operating_threshold=0.999, meta={}, review_threshold=0.5
    )
    engine = Engine(EngineConfig(), Classifier(KeywordEncoder(), {PolicyId.HARASSMENT: head}))
    finding = engine.check(Message(text="what an idiot", channel="random")).finding(
        PolicyId.HARASSMENT
    )
    assert finding is not None and 0.6 < finding.score < 0.8
    assert finding.response is Response.FLAG
    sure = Head(PolicyId.HARASSMENT, weights, -5.0, 0.9, {}, review_threshold=0.5)
    engine = Engine(EngineConfig(), Classifier(KeywordEncoder(), {PolicyId.HARASSMENT: sure}))
    finding = engine.check(Message(text="what an idiot", channel="random")).finding(
        PolicyId.HARASSMENT
    )
    assert finding is not None and finding.response is Response.NUDGE_FLAG


def test_account_check_runs_the_account_policies(engine: Engine) -> None:
    verdict = engine.check_account(Account(real_name="Acme Marketing Team"))
    assert [f.policy for f in verdict.findings] == [PolicyId.ANONYMOUS_ACCOUNT]
    assert engine.check_account(Account(real_name="Amara Okafor")).findings == ()
