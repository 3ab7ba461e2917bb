"""Training-set assembly and the operating point: held-out examples never reach a head, and
the threshold is where out-of-fold precision reaches the target."""

from __future__ import annotations

import numpy as np
import pytest

from moderation import corpus, finetune, splits, train
from moderation.classifier import classifier_input
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


def test_the_operating_point_report_gives_precision_and_recall_at_the_threshold() -> None:
    labels = np.array([1, 1, 1, 0, 1, 0, 0, 1, 0, 0])
    scores = np.array([0.95, 0.9, 0.85, 0.8, 0.75, 0.7, 0.6, 0.5, 0.4, 0.3])
    everyday = np.array([0.9, 0.75, 0.5, 0.1])
    report = train.operating_point_report(labels, scores, 0.75, everyday)
    assert report == {
        "operating_point_rows": 10,
        "operating_point_positives": 5,
        "precision_there": 0.8,  # 4 of the 5 rows at or above 0.75
        "recall_there": 0.8,  # 4 of the 5 positives
        "everyday_above_point": "2/4",
    }
    nothing = train.operating_point_report(labels, scores, 0.99, everyday)
    assert (nothing["precision_there"], nothing["recall_there"]) == (0.0, 0.0)


def test_the_calibration_share_is_about_half_and_independent_of_the_heldout_split() -> None:
    texts = [f"example message number {i}" for i in range(4000)]
    calibration = [t for t in texts if splits.in_calibration(t)]
    assert 1850 < len(calibration) < 2150
    heldout_share = sum(splits.split_of(t) == "heldout" for t in calibration) / len(calibration)
    assert 0.2 < heldout_share < 0.3  # the same one in four as everywhere: not correlated


def test_the_encoder_is_never_fine_tuned_on_calibration_or_heldout_examples(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(train, "public_sources", lambda policy: [])
    seen = {r.text for r in finetune.multitask_rows(slack_chat=[])}
    examples = [e for p in train.CLASSIFIER_POLICIES for e in corpus.own_examples(p)]
    examples += corpus.own_ordinary_chat()

    def kept_out(e: corpus.Example) -> bool:
        return e.split == "heldout" or splits.in_calibration(e.text)

    never = {classifier_input(e.text) for e in examples if kept_out(e)}
    # (identical words filed twice, once on each side, are a training example)
    never -= {classifier_input(e.text) for e in examples if not kept_out(e)}
    assert len(never) > 1000
    assert not seen & never


def test_multitask_rows_carry_each_policys_label_and_no_word_for_others(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(train, "public_sources", lambda policy: [])
    rows = {r.text: r for r in finetune.multitask_rows(slack_chat=[])}
    plug = next(
        e
        for e in corpus.own_examples(PolicyId.SELF_PROMOTION)
        if e.content == 1 and e.split == "train" and not splits.in_calibration(e.text)
    )
    row = rows[classifier_input(plug.text)]
    index = train.CLASSIFIER_POLICIES.index(PolicyId.SELF_PROMOTION)
    assert row.labels[index] == 1 and row.weights[index] == train.OWN_WEIGHT
    # a plug is a clean negative for geopolitics and harassment
    for policy in (PolicyId.GEOPOLITICS, PolicyId.HARASSMENT):
        i = train.CLASSIFIER_POLICIES.index(policy)
        assert row.labels[i] == 0 and row.weights[i] > 0


def test_the_hard_negative_point_lets_at_most_the_allowed_share_score_above_it() -> None:
    scores = np.array([0.9, 0.7, 0.5, 0.3, 0.2, 0.1, 0.1, 0.05, 0.02, 0.01])
    at_zero = train.hard_negative_threshold(scores, 0.0)
    assert at_zero > 0.9 and (scores >= at_zero).sum() == 0
    at_ten = train.hard_negative_threshold(scores, 0.1)  # one of ten may pass
    assert 0.7 < at_ten <= 0.71 and (scores >= at_ten).sum() == 1
    assert train.hard_negative_threshold(np.array([]), 0.01) == 0.0
    assert train.hard_negative_threshold(scores, 1.0) == 0.0


def test_everyday_messages_above_the_point_raise_it_to_the_allowed_share() -> None:
    labels = np.array([1, 1, 1, 1, 0])
    scores = np.array([0.9, 0.8, 0.7, 0.6, 0.1])
    alone = train.choose_operating_point(
        PolicyId.HARASSMENT, labels, scores, np.array([]), np.zeros(1000)
    )
    assert alone == pytest.approx(0.6)  # every positive, precision 1.0
    # Five everyday messages in a thousand score 0.75: the allowed 0.2% is two of them.
    everyday = np.concatenate([np.full(5, 0.75), np.zeros(995)])
    raised = train.choose_operating_point(
        PolicyId.HARASSMENT, labels, scores, np.array([]), everyday
    )
    assert raised > 0.75
    assert (everyday >= raised).mean() <= train.EVERYDAY_RATE


def test_the_review_point_is_where_precision_reaches_the_looser_target() -> None:
    # Precision by rank: 1, 1, 1, .75, .8, .83, .86, .875, .89, .9, .91, .92, .85, .79
    labels = np.array([1, 1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0])
    scores = np.array([0.95, 0.9, 0.85, 0.8, 0.75, 0.7, 0.6, 0.5, 0.45, 0.4, 0.35, 0.33, 0.3, 0.2])
    operating = train.choose_operating_point(
        PolicyId.HARASSMENT, labels, scores, np.array([]), np.zeros(1000)
    )
    assert operating == pytest.approx(0.85)  # the 0.93 target: the top three only
    review = train.choose_review_point(
        PolicyId.HARASSMENT, labels, scores, np.array([]), np.zeros(1000), operating
    )
    assert 0.9 <= train.REVIEW_PRECISION <= 11 / 12
    assert review == pytest.approx(0.33)  # eleven of the top twelve are positives


def test_everyday_messages_raise_the_review_point_to_their_allowed_share() -> None:
    labels = np.array([1, 1, 1, 1, 0])
    scores = np.array([0.9, 0.8, 0.7, 0.6, 0.1])
    # Ten everyday messages in a thousand score 0.65: the allowed 0.5% is five of them.
    everyday = np.concatenate([np.full(10, 0.65), np.zeros(990)])
    review = train.choose_review_point(
        PolicyId.HARASSMENT, labels, scores, np.array([]), everyday, operating=0.9
    )
    assert review > 0.65
    assert (everyday >= review).mean() <= train.REVIEW_EVERYDAY_RATE


def test_the_review_point_is_never_above_the_operating_point() -> None:
    labels = np.array([1, 0, 1, 0])
    scores = np.array([0.9, 0.8, 0.7, 0.6])
    review = train.choose_review_point(
        PolicyId.HARASSMENT, labels, scores, np.array([]), np.full(100, 0.95), operating=0.5
    )
    assert review == 0.5


def test_real_slack_chat_weighs_more_for_harassment_but_not_in_the_adapters_data(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(train, "public_sources", lambda policy: [])
    texts = [f"did anyone try the new build {i}? it works for me" for i in range(40)]
    chat = [
        corpus.Example(t, 0, 0, "slack-chat:test")
        for t in texts
        if splits.split_of(t) == "train" and not splits.in_calibration(t)
    ]
    assert chat

    def slack_weights(policy: PolicyId) -> set[float]:
        rows = train.training_set(policy, chat)
        return {r.weight for r in rows if r.example.source == "slack-chat:test"}

    assert slack_weights(PolicyId.HARASSMENT) == {1.0}
    assert slack_weights(PolicyId.SELF_PROMOTION) == {train.SLACK_CHAT_WEIGHT} == {0.5}
    # The adapter's rows keep 0.5 for harassment too: the committed adapter was trained so.
    rows = {r.text: r for r in finetune.multitask_rows(chat)}
    harassment = train.CLASSIFIER_POLICIES.index(PolicyId.HARASSMENT)
    assert {rows[classifier_input(e.text)].weights[harassment] for e in chat} == {0.5}
