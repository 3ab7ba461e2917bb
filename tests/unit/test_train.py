"""Training-set assembly and the operating point: held-out examples never reach a head, and
the threshold is where out-of-fold precision reaches the target."""

from __future__ import annotations

import numpy as np
import pytest

from moderation import corpus, train
from moderation.ids import PolicyId


@pytest.mark.parametrize("policy", train.CLASSIFIER_POLICIES)
def test_training_set_holds_no_heldout_example(
    policy: PolicyId, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(train, "public_sources", lambda policy: [])
    rows = train.training_set(policy, slack_chat=[])
    texts = {r.example.text for r in rows}
    heldout = [e.text for e in corpus.own_examples(policy) if e.split == "heldout"]
    assert heldout, "every policy keeps some of its own examples held out"
    assert not texts & set(heldout)
    assert all(r.example.split == "train" for r in rows)
    # and ordinary chat is in, as negatives (except plugs in their channel, for plugs)
    chat = [e for e in corpus.own_ordinary_chat() if e.split == "train"]
    assert {e.text for e in chat} <= texts


def test_operating_threshold_is_the_lowest_score_that_keeps_the_target_precision() -> None:
    labels = np.array([1, 1, 1, 0, 1, 0, 0, 1, 0, 0])
    scores = np.array([0.95, 0.9, 0.85, 0.8, 0.75, 0.7, 0.6, 0.5, 0.4, 0.3])
    # precision by rank: 1, 1, 1, .75, .8, .67, .57, .63, .56, .5
    assert train.operating_threshold(labels, scores, 0.8) == pytest.approx(0.75)
    assert train.operating_threshold(labels, scores, 0.95) == pytest.approx(0.85)


def test_operating_threshold_falls_back_when_the_target_is_never_met() -> None:
    labels = np.array([0, 1, 0, 1])
    scores = np.array([0.9, 0.8, 0.7, 0.6])
    assert train.operating_threshold(labels, scores, 0.99) == 0.5
