from __future__ import annotations

from pathlib import Path

import numpy as np

from moderation.classifier import Classifier, Head, load_heads
from moderation.features import HASH_DIM, hashed
from moderation.ids import PolicyId


class ZeroEncoder:
    dim = 4

    def embed(self, texts: list[str], batch_size: int = 32) -> np.ndarray:
        return np.zeros((len(texts), self.dim), dtype=np.float32)


def test_head_with_ngram_weights_survives_save_and_load(tmp_path: Path) -> None:
    rng = np.random.default_rng(7)
    head = Head(
        PolicyId.FUNDS_REQUEST,
        weights=rng.normal(size=4).astype(np.float32),
        bias=-1.5,
        operating_threshold=0.7,
        meta={"format": 2},
        hashed_weights=rng.normal(size=HASH_DIM).astype(np.float32),
    )
    head.save(tmp_path)
    loaded = load_heads(tmp_path)[PolicyId.FUNDS_REQUEST]
    assert loaded.bias == head.bias and loaded.operating_threshold == 0.7
    assert np.allclose(loaded.weights, head.weights, atol=1e-6)
    assert loaded.hashed_weights is not None
    assert np.allclose(loaded.hashed_weights, head.hashed_weights, atol=2e-3)


def test_a_review_point_survives_save_and_load_and_older_heads_have_none(
    tmp_path: Path,
) -> None:
    head = Head(PolicyId.HARASSMENT, np.zeros(4, np.float32), 0.0, 0.7, {}, review_threshold=0.4)
    head.save(tmp_path / "new")
    assert load_heads(tmp_path / "new")[PolicyId.HARASSMENT].review_threshold == 0.4
    Head(PolicyId.HARASSMENT, np.zeros(4, np.float32), 0.0, 0.7, {}).save(tmp_path / "old")
    assert load_heads(tmp_path / "old")[PolicyId.HARASSMENT].review_threshold is None


def test_ngram_weights_move_the_score_of_texts_that_contain_them() -> None:
    weights = np.zeros(HASH_DIM, dtype=np.float32)
    indices, _ = hashed("please donate")
    weights[indices] = 5.0
    head = Head(PolicyId.FUNDS_REQUEST, np.zeros(4, np.float32), -2.0, 0.5, {}, weights)
    classifier = Classifier(ZeroEncoder(), {PolicyId.FUNDS_REQUEST: head})
    asked, other = classifier.score(["please donate", "see you tomorrow"])
    assert asked[PolicyId.FUNDS_REQUEST] > 0.8 > other[PolicyId.FUNDS_REQUEST]


def test_evasive_spelling_hashes_like_the_plain_word() -> None:
    assert hashed("d.o.n.a.t.e")[0].tolist() == hashed("donate")[0].tolist()
    assert hashed("g0fundme")[0].tolist() == hashed("gofundme")[0].tolist()


def test_committed_heads_cover_every_classifier_policy() -> None:
    heads = load_heads()
    assert set(heads) == {
        PolicyId.SELF_PROMOTION,
        PolicyId.FUNDS_REQUEST,
        PolicyId.GEOPOLITICS,
        PolicyId.HARASSMENT,
    }
    for head in heads.values():
        assert head.hashed_weights is not None and head.hashed_weights.shape == (HASH_DIM,)
        assert 0 < head.operating_threshold < 1
