"""The local classifier: a sentence encoder (MiniLM, run with ONNX Runtime) and one small
trained head per policy over its embeddings.

Heads are logistic regressions over the sentence embedding *and* hashed n-grams of the
words (moderation/features.py), stored in `moderation/heads/` (`<policy>.json` for the
embedding weights, bias and operating point, `<policy>.hashed.npy` for the n-gram weights),
written by `python -m moderation.train`. Each head's probability is rescaled so that its operating
point (chosen on validation data for the precision we want) lands at 0.80, the default
threshold in conduct.toml: a moderator who raises a threshold asks for more certainty on
the same scale for every policy. A head trained with a review point (where out-of-fold
precision reaches the product's 0.90: good enough for a moderator to look, not for telling
a member) has it land at 0.60, the harassment flag threshold.

A policy can have a **second pass** (`heads/second_pass/`: its own encoder adapter and head,
optionally reading emoji by name). The first-pass head then only gates: a message whose
first-pass probability is under the head's `gate` (the point above which 97% of that policy's
positives scored, out of fold) keeps a score below `BELOW_GATE_SCORE`; the rest are read
again by the second encoder, and the second head's rescaled score is the policy's score.
Harassment has one: the rank-16 adapter that ranks harassment best moves the other heads
off their targets, so it reads only what the first pass finds suspect (2.6% of everyday
messages; MODEL_CARD.md, "Cascade").
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import emoji
import numpy as np
from numpy.typing import NDArray

from moderation.adapter import Adapter, adapter_in
from moderation.features import HASH_DIM, hashed
from moderation.ids import PolicyId
from moderation.text import normalize, parse_slack_text

HEADS_DIR = Path(__file__).parent / "heads"
SECOND_READING_DIR = "second_pass"
OPERATING_SCORE = 0.80
# Where a head's review point lands: between it and the operating point a message is worth a
# moderator's look but not a nudge (conduct.toml's default harassment flag threshold).
REVIEW_SCORE = 0.60
# Scores of messages a gate keeps from the second pass stay under this: a moderator can lower
# a threshold into the gated range, never below the first pass's own certainty.
BELOW_GATE_SCORE = 0.5


# A mention says who is addressed, not what is said; in the training data mentions are far
# more common in harassment than elsewhere, so a head would learn "a mention is an attack".
_MENTION = re.compile(r"<@[^>]*>|&lt;@[^&]*&gt;")
_LETTER = re.compile(r"[^\W\d_]")


def classifier_input(raw: str, *, name_emoji: bool = False) -> str:
    """The text a head sees, the same at training and at inference: Slack markup to prose
    (no code, no quoted lines, no @-mentions), normalised; empty when no letter is left
    ("^", "+1", a bare link), since a head has nothing to read there. ``name_emoji``: each
    Unicode emoji becomes its Slack-style name (🙄 -> ``:roll_eyes:``), which the encoder
    can read; an encoder adapter trained that way says so in its ``input`` meta."""
    text = normalize(parse_slack_text(_MENTION.sub(" ", raw)).prose)
    if not _LETTER.search(text):
        return ""
    return emoji.demojize(text, language="alias") if name_emoji else text


#: An adapter's ``input`` meta when it was trained on texts with emoji named.
INPUT_EMOJI_NAMES = "emoji_names"


def names_emoji(adapter: Adapter | None) -> bool:
    """Whether heads on this adapter's encoder read emoji as names."""
    return adapter is not None and adapter.meta.get("input") == INPUT_EMOJI_NAMES


class TextEncoder(Protocol):
    @property
    def dim(self) -> int: ...

    def embed(self, texts: Sequence[str], batch_size: int = 32) -> NDArray[np.float32]: ...


@dataclass(frozen=True)
class Head:
    policy: PolicyId
    weights: NDArray[np.float32]
    bias: float
    operating_threshold: float
    """The raw probability that maps to OPERATING_SCORE."""
    meta: dict[str, Any]
    hashed_weights: NDArray[np.float32] | None = None
    review_threshold: float | None = None
    """The raw probability that maps to REVIEW_SCORE (heads trained before it have none)."""

    @classmethod
    def from_json(
        cls, data: dict[str, Any], hashed_weights: NDArray[np.float32] | None = None
    ) -> Head:
        return cls(
            policy=PolicyId(data["policy"]),
            weights=np.asarray(data["weights"], dtype=np.float32),
            bias=float(data["bias"]),
            operating_threshold=float(data["operating_threshold"]),
            meta={
                k: v
                for k, v in data.items()
                if k not in {"weights", "bias", "operating_threshold", "review_threshold"}
            },
            hashed_weights=hashed_weights,
            review_threshold=(
                float(data["review_threshold"])
                if data.get("review_threshold") is not None
                else None
            ),
        )

    def save(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        path = directory / f"{self.policy.value}.json"
        path.write_text(json.dumps(self.to_json(), indent=1) + "\n", encoding="utf-8")
        if self.hashed_weights is not None:
            # float16 halves the file; the head's scores move by less than 1e-3.
            np.save(
                directory / f"{self.policy.value}.hashed.npy",
                self.hashed_weights.astype(np.float16),
            )

    def to_json(self) -> dict[str, Any]:
        return {
            **self.meta,
            "policy": self.policy.value,
            "operating_threshold": self.operating_threshold,
            **(
                {"review_threshold": self.review_threshold}
                if self.review_threshold is not None
                else {}
            ),
            "bias": self.bias,
            "weights": [round(float(w), 6) for w in self.weights],
        }


def rescale(
    probability: NDArray[np.float64], threshold: float, review: float | None = None
) -> NDArray[np.float64]:
    """Monotone piecewise-linear map sending `threshold` to OPERATING_SCORE, `review` (when
    given and below `threshold`) to REVIEW_SCORE, 0 to 0 and 1 to 1."""
    t = min(max(threshold, 1e-6), 1 - 1e-6)
    high = OPERATING_SCORE + (probability - t) / (1 - t) * (1 - OPERATING_SCORE)
    if review is None or not 0 < review < t:
        low = probability / t * OPERATING_SCORE
        return np.where(probability <= t, low, high)
    below = probability / review * REVIEW_SCORE
    between = REVIEW_SCORE + (probability - review) / (t - review) * (
        OPERATING_SCORE - REVIEW_SCORE
    )
    return np.where(probability <= review, below, np.where(probability <= t, between, high))


def check_heads_match_adapter(
    heads: dict[PolicyId, Head], adapter: Adapter | None, heads_dir: Path
) -> None:
    """Heads fitted on one adapted encoder score garbage on another: refuse the mix."""
    digest = adapter.digest if adapter is not None else None
    for policy, head in heads.items():
        if "encoder_adapter" in head.meta and head.meta["encoder_adapter"] != digest:
            raise ValueError(
                f"{heads_dir}: the {policy.value} head was trained with encoder adapter "
                f"{head.meta['encoder_adapter']}, but the adapter there is {digest}: "
                "run `python -m moderation.train` again"
            )


def load_trained(directory: Path = HEADS_DIR) -> tuple[dict[PolicyId, Head], Adapter | None]:
    """The heads in `directory` and the encoder adapter beside them (None: the packaged
    encoder), checked to belong together; each file is read once."""
    adapter = adapter_in(directory)
    heads = _read_heads(directory)
    check_heads_match_adapter(heads, adapter, directory)
    return heads, adapter


def load_heads(directory: Path = HEADS_DIR) -> dict[PolicyId, Head]:
    return load_trained(directory)[0]


def _read_heads(directory: Path) -> dict[PolicyId, Head]:
    heads = {}
    for path in sorted(directory.glob("*.json")):
        hashed_path = path.with_suffix(".hashed.npy")
        hashed = (
            np.load(hashed_path, allow_pickle=False).astype(np.float32)
            if hashed_path.exists()
            else None
        )
        head = Head.from_json(json.loads(path.read_text(encoding="utf-8")), hashed)
        heads[head.policy] = head
    return heads


@dataclass(frozen=True)
class SecondPass:
    """A second reading for one policy, of the messages its first-pass head lets through."""

    policy: PolicyId
    gate: float
    """First-pass probability from which a message is read again."""
    classifier: Classifier

    def lets_through(self, probabilities: NDArray[np.float64]) -> NDArray[np.bool_]:
        """Which of these first-pass probabilities (of `policy`) are read again."""
        passed: NDArray[np.bool_] = probabilities >= self.gate
        return passed


class Classifier:
    """Scores texts for every policy that has a head, in one encoder pass (and a second pass,
    for the few messages a gate lets through, where a policy has one)."""

    def __init__(
        self,
        encoder: TextEncoder,
        heads: dict[PolicyId, Head],
        *,
        name_emoji: bool = False,
        second_passes: Sequence[SecondPass] = (),
    ) -> None:
        if not heads:
            raise ValueError("no classifier heads: run `python -m moderation.train`")
        self._encoder = encoder
        self._name_emoji = name_emoji
        self._policies = tuple(heads)
        self._weights = np.stack([heads[p].weights for p in self._policies]).astype(np.float32)
        self._bias = np.array([heads[p].bias for p in self._policies], dtype=np.float64)
        self._thresholds = [
            (heads[p].operating_threshold, heads[p].review_threshold) for p in self._policies
        ]
        hashed = [heads[p].hashed_weights for p in self._policies]
        # One [HASH_DIM, policies] matrix: a message's few n-grams pick rows from it.
        self._hashed = (
            np.stack(
                [h if h is not None else np.zeros(HASH_DIM, np.float32) for h in hashed], axis=1
            )
            if any(h is not None for h in hashed)
            else None
        )
        for second in second_passes:
            if second.policy not in heads or second.policy not in second.classifier.policies:
                raise ValueError(f"a second pass for {second.policy.value} needs a head in both")
        self._second = {s.policy: s for s in second_passes}
        self.heads = heads

    @classmethod
    def load(
        cls,
        heads_dir: Path = HEADS_DIR,
        encoder: TextEncoder | None = None,
        *,
        threads: int | None = None,
        second_encoder: TextEncoder | None = None,
    ) -> Classifier:
        """The heads in `heads_dir` on `encoder`, or on the encoder built with the adapter they
        were trained with (`threads`: ONNX Runtime threads per inference), with the second
        pass in `heads_dir/second_pass` where there is one (on `second_encoder`, or on the
        encoder built with that pass's adapter)."""
        from moderation.encoder import Encoder

        heads, adapter = load_trained(heads_dir)
        if encoder is None:
            encoder = Encoder.load(threads=threads, adapter=adapter)
        second_passes = []
        second_dir = heads_dir / SECOND_READING_DIR
        if second_dir.is_dir():
            second_heads, second_adapter = load_trained(second_dir)
            if second_heads:
                if second_encoder is None:
                    second_encoder = Encoder.load(
                        threads=threads, adapter=second_adapter, spin=False
                    )
                reader = cls(second_encoder, second_heads, name_emoji=names_emoji(second_adapter))
                for policy in second_heads:
                    first = heads.get(policy)
                    if first is None or "gate" not in first.meta:
                        raise ValueError(
                            f"{second_dir}: a second pass for {policy.value} needs a first-pass "
                            "head with a gate: run `python -m moderation.train` again"
                        )
                    second_passes.append(SecondPass(policy, float(first.meta["gate"]), reader))
        return cls(encoder, heads, name_emoji=names_emoji(adapter), second_passes=second_passes)

    @property
    def policies(self) -> tuple[PolicyId, ...]:
        return self._policies

    @property
    def encoder(self) -> TextEncoder:
        return self._encoder

    @property
    def second_passes(self) -> tuple[SecondPass, ...]:
        return tuple(self._second.values())

    def input_for(self, raw: str) -> str:
        """What this classifier's encoder reads of a Slack text."""
        return classifier_input(raw, name_emoji=self._name_emoji)

    def probabilities(
        self, embeddings: NDArray[np.float32], texts: Sequence[str] | None = None
    ) -> NDArray[np.float64]:
        """Each head's raw probability, one column per policy (in `policies` order).
        `texts` are the classifier inputs the embeddings came from (for the n-grams)."""
        logits = embeddings.astype(np.float64) @ self._weights.T.astype(np.float64) + self._bias
        if self._hashed is not None and texts is not None:
            for row, text in enumerate(texts):
                indices, values = hashed(text)
                logits[row] += values.astype(np.float64) @ self._hashed[indices].astype(np.float64)
        probabilities: NDArray[np.float64] = 1.0 / (1.0 + np.exp(-logits))
        return probabilities

    def _rescaled(self, probabilities: NDArray[np.float64]) -> NDArray[np.float64]:
        columns = [
            rescale(probabilities[:, i], threshold, review)
            for i, (threshold, review) in enumerate(self._thresholds)
        ]
        return np.stack(columns, axis=1) if columns else probabilities

    def _as_dicts(self, scores: NDArray[np.float64]) -> list[dict[PolicyId, float]]:
        return [
            {policy: float(row[i]) for i, policy in enumerate(self._policies)} for row in scores
        ]

    def score(self, raw_texts: Sequence[str], batch_size: int = 32) -> list[dict[PolicyId, float]]:
        """Scores for Slack texts; empty prose (only code, quotes or links) scores 0."""
        inputs = [self.input_for(t) for t in raw_texts]
        wanted = [i for i, text in enumerate(inputs) if text]
        results: list[dict[PolicyId, float]] = [dict.fromkeys(self._policies, 0.0) for _ in inputs]
        if not wanted:
            return results
        texts = [inputs[i] for i in wanted]
        probabilities = self.probabilities(self._encoder.embed(texts, batch_size=batch_size), texts)
        scores = self._rescaled(probabilities)
        for policy, second in self._second.items():
            column = self._policies.index(policy)
            passed = second.lets_through(probabilities[:, column])
            scores[:, column] = probabilities[:, column] / max(second.gate, 1e-6) * BELOW_GATE_SCORE
            if passed.any():
                again = second.classifier.score(
                    [raw_texts[wanted[row]] for row in np.flatnonzero(passed)], batch_size
                )
                scores[passed, column] = [row[policy] for row in again]
        for i, row_scores in zip(wanted, self._as_dicts(scores), strict=True):
            results[i] = row_scores
        return results


class LazyClassifier:
    """Loads the encoder on first use, so a process that never checks a message (the CLI's
    `db` commands, an account-only sweep) never pays for it."""

    def __init__(self, heads_dir: Path = HEADS_DIR, *, threads: int | None = None) -> None:
        self._heads_dir = heads_dir
        self._threads = threads
        self._lock = threading.Lock()
        self._classifier: Classifier | None = None

    def get(self) -> Classifier:
        with self._lock:
            if self._classifier is None:
                self._classifier = Classifier.load(self._heads_dir, threads=self._threads)
            return self._classifier
