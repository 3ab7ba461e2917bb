"""The harassment cascade: a first-pass head gates, a second encoder (emoji named) decides."""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from moderation import corpus, finetune, train
from moderation.adapter import ADAPTER_FILE, Adapter
from moderation.classifier import (
    BELOW_GATE_SCORE,
    INPUT_EMOJI_NAMES,
    OPERATING_SCORE,
    SECOND_READING_DIR,
    Classifier,
    Head,
    SecondPass,
    classifier_input,
)
from moderation.encoder import Encoder
from moderation.features import HASH_DIM, hashed
from moderation.ids import PolicyId

HARASSMENT = PolicyId.HARASSMENT


class RecordingEncoder:
    """Zero embeddings (the heads below read only n-grams); remembers what it was given."""

    dim = 4

    def __init__(self) -> None:
        self.seen: list[str] = []

    def embed(self, texts: Sequence[str], batch_size: int = 32) -> np.ndarray:
        self.seen += list(texts)
        return np.zeros((len(texts), self.dim), dtype=np.float32)


def ngram_head(words: str, weight: float, *, meta: dict[str, object] | None = None) -> Head:
    """A harassment head whose probability is sigmoid(weight) on texts made of `words` and
    sigmoid(-2) (0.12) on texts sharing none of their n-grams."""
    hashed_weights = np.zeros(HASH_DIM, dtype=np.float32)
    indices, values = hashed(words)
    hashed_weights[indices] = (weight + 2.0) / values.sum()
    return Head(HARASSMENT, np.zeros(4, np.float32), -2.0, 0.5, dict(meta or {}), hashed_weights)


def cascade(
    first_weight: float, second_weight: float, gate: float
) -> tuple[Classifier, RecordingEncoder]:
    second_encoder = RecordingEncoder()
    reader = Classifier(
        second_encoder, {HARASSMENT: ngram_head("you clown", second_weight)}, name_emoji=True
    )
    first = Classifier(
        RecordingEncoder(),
        {HARASSMENT: ngram_head("you clown", first_weight)},
        second_passes=[SecondPass(HARASSMENT, gate, reader)],
    )
    return first, second_encoder


def test_messages_under_the_gate_are_never_read_again_and_stay_under_its_score() -> None:
    classifier, second_encoder = cascade(first_weight=3.0, second_weight=3.0, gate=0.3)
    clown, tomorrow = classifier.score(["you clown", "see everyone tomorrow"])
    assert second_encoder.seen == ["you clown"]
    assert tomorrow[HARASSMENT] < BELOW_GATE_SCORE
    # sigmoid(3) = 0.95 against the second head's operating point 0.5
    assert clown[HARASSMENT] > OPERATING_SCORE


def test_the_second_reading_decides_for_messages_the_gate_lets_through() -> None:
    # The first pass is sure; the second, which reads better, is not: the second wins.
    classifier, second_encoder = cascade(first_weight=5.0, second_weight=-3.0, gate=0.3)
    (clown,) = classifier.score(["you clown"])
    assert second_encoder.seen == ["you clown"]
    assert clown[HARASSMENT] < 0.1


def test_the_second_reading_sees_emoji_by_name() -> None:
    classifier, second_encoder = cascade(first_weight=3.0, second_weight=3.0, gate=0.3)
    classifier.score(["you clown 🤡"])
    assert second_encoder.seen == ["you clown :clown_face:"]
    first_encoder = classifier.encoder
    assert isinstance(first_encoder, RecordingEncoder)
    assert first_encoder.seen == ["you clown 🤡"]


def test_emoji_are_named_only_when_asked_and_emoji_alone_is_still_nothing_to_read() -> None:
    assert classifier_input("nice one 🙄") == "nice one 🙄"
    assert classifier_input("nice one 🙄", name_emoji=True) == "nice one :roll_eyes:"
    assert classifier_input("🙄🙄", name_emoji=True) == ""


def test_a_second_pass_needs_a_head_for_its_policy_on_both_sides() -> None:
    reader = Classifier(RecordingEncoder(), {HARASSMENT: ngram_head("you clown", 1.0)})
    funds_only = {
        PolicyId.FUNDS_REQUEST: Head(PolicyId.FUNDS_REQUEST, np.zeros(4, np.float32), 0.0, 0.5, {})
    }
    with pytest.raises(ValueError, match="needs a head in both"):
        Classifier(
            RecordingEncoder(), funds_only, second_passes=[SecondPass(HARASSMENT, 0.3, reader)]
        )


def test_load_reads_the_second_pass_folder_and_the_gate_from_the_first_head(
    tmp_path: Path,
) -> None:
    ngram_head("you clown", 3.0, meta={"gate": 0.3}).save(tmp_path)
    second_dir = tmp_path / SECOND_READING_DIR
    adapter = Adapter({}, scale=1.0, meta={"input": INPUT_EMOJI_NAMES})
    adapter.save(second_dir / ADAPTER_FILE)
    ngram_head("you clown", -3.0, meta={"encoder_adapter": adapter.digest}).save(second_dir)
    second_encoder = RecordingEncoder()
    classifier = Classifier.load(tmp_path, RecordingEncoder(), second_encoder=second_encoder)
    (second,) = classifier.second_passes
    assert (second.policy, second.gate) == (HARASSMENT, 0.3)
    (clown,) = classifier.score(["you clown 🤡"])
    assert second_encoder.seen == ["you clown :clown_face:"]
    assert clown[HARASSMENT] < 0.1


def test_a_second_pass_without_a_gate_on_the_first_head_is_refused(tmp_path: Path) -> None:
    ngram_head("you clown", 3.0).save(tmp_path)
    ngram_head("you clown", 3.0).save(tmp_path / SECOND_READING_DIR)
    with pytest.raises(ValueError, match="needs a first-pass head with a gate"):
        Classifier.load(tmp_path, RecordingEncoder(), second_encoder=RecordingEncoder())


def test_the_committed_second_encoder_leaves_its_idle_threads_asleep() -> None:
    # Two encoders whose idle threads both spin take each other's cores (MODEL_CARD.md,
    # Runtime): the first keeps the lower latency of spinning, the second does not spin.
    classifier = Classifier.load()
    [second] = classifier.second_passes
    assert second.policy is PolicyId.HARASSMENT
    first_encoder, second_encoder = classifier.encoder, second.classifier.encoder
    assert isinstance(first_encoder, Encoder) and isinstance(second_encoder, Encoder)
    assert first_encoder.info.spinning and not second_encoder.info.spinning


def test_the_gate_lets_through_at_least_the_promised_share_of_positives() -> None:
    scores = np.linspace(0.01, 1.0, 100)
    gate = train.gate_threshold(scores, 0.97)
    assert (scores >= gate).sum() == 97
    assert train.gate_threshold(scores, 1.0) == pytest.approx(0.01)
    assert train.gate_threshold(np.array([]), 0.97) == 0.0


def test_adapter_rows_can_read_emoji_by_name(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(train, "public_sources", lambda policy: [])
    plain = {r.text for r in finetune.multitask_rows(slack_chat=[])}
    named = {r.text for r in finetune.multitask_rows(slack_chat=[], name_emoji=True)}
    with_emoji = [
        e.text
        for e in corpus.own_examples(HARASSMENT)
        if classifier_input(e.text) in plain and "🙄" in e.text
    ]
    assert with_emoji
    assert all(classifier_input(t, name_emoji=True) in named for t in with_emoji)
    assert not any("🙄" in t for t in named)


def test_every_file_the_classifier_can_load_is_shipped_in_the_package() -> None:
    import fnmatch
    import tomllib

    from moderation.classifier import HEADS_DIR

    config = tomllib.loads((HEADS_DIR.parents[1] / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = config["tool"]["setuptools"]["package-data"]["moderation"]
    package = HEADS_DIR.parent
    files = [p.relative_to(package).as_posix() for p in HEADS_DIR.rglob("*") if p.is_file()]
    assert f"heads/{SECOND_READING_DIR}/*" in patterns  # where a second pass is committed
    # setuptools globs do not cross folders: "heads/*" does not ship heads/second_pass/
    unshipped = [
        f
        for f in files
        if not any(fnmatch.fnmatch(f, p) and f.count("/") == p.count("/") for p in patterns)
    ]
    assert unshipped == []


class HashEncoder:
    """A fixed pseudo-random vector per text: enough for a head to fit, nothing to learn."""

    dim = train.EMBEDDING_DIM

    def embed(self, texts: Sequence[str], batch_size: int = 32) -> np.ndarray:
        rows = [np.random.default_rng(zlib.crc32(t.encode())).normal(size=self.dim) for t in texts]
        out = np.array(rows, dtype=np.float32)
        return out / np.linalg.norm(out, axis=1, keepdims=True)


def test_a_fitted_head_records_its_gate_under_its_operating_point(tmp_path: Path) -> None:
    insults = ["clown", "idiot", "moron", "fool", "loser"]
    rows = [
        train.Weighted(corpus.Example(f"you {w} number {i}", 1, 1, "own:harassment"), 3.0)
        for i in range(40)
        for w in insults[i % 5 : i % 5 + 1]
    ]
    rows += [
        train.Weighted(
            corpus.Example(f"the build {i} passed on ci", 0, 0, "own:ordinary_chat"), 3.0
        )
        for i in range(120)
    ]
    cache = train.EmbeddingCache(HashEncoder(), tmp_path / "cache.npz", name_emoji=True)
    head, cv = train.fit_head(HARASSMENT, rows, cache)
    assert head.meta["gate_recall"] == train.GATE_RECALL
    assert 0 < head.meta["gate"] <= head.operating_threshold
    assert cv["everyday_above_gate"] == f"{cv['everyday_above_gate'].split('/')[0]}/120"
    assert cache.input("you 🤡") == "you :clown_face:"


def test_pending_examples_reach_a_head_only_when_asked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(train, "public_sources", lambda policy: [])
    pending = {
        e.text for e in corpus.own_examples(HARASSMENT, corpus.PENDING_DIR) if e.split == "train"
    }
    assert pending
    without = {r.example.text for r in train.training_set(HARASSMENT, [])}
    with_them = {r.example.text for r in train.training_set(HARASSMENT, [], with_pending=True)}
    assert not pending & without
    assert pending <= with_them
    # held-out pending examples stay out either way
    heldout = {
        e.text for e in corpus.own_examples(HARASSMENT, corpus.PENDING_DIR) if e.split == "heldout"
    }
    assert heldout and not heldout & with_them
