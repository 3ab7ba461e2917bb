"""Train the classifier heads: `python -m moderation.train` (needs the `train` extra).

Seeded and deterministic: the same data and encoder give the same heads. Only the *train*
split of every source is used (moderation/splits.py); the held-out split is for
`python -m moderation.evaluate`.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from moderation import corpus
from moderation.adapter import adapter_in
from moderation.classifier import (
    HEADS_DIR,
    INPUT_EMOJI_NAMES,
    Head,
    TextEncoder,
    classifier_input,
    names_emoji,
)
from moderation.corpus import Example
from moderation.features import HASH_DIM, hashed
from moderation.ids import PolicyId
from moderation.splits import in_calibration

SEED = 20261125
# Precision each head must reach (out of fold, on our own examples; with a fine-tuned encoder
# only on the calibration share it never saw) at score 0.80. Above the product's 0.90 for a
# margin; higher for geopolitics: tech-policy talk that names countries is this community's
# core topic.
TARGET_PRECISION = {
    PolicyId.SELF_PROMOTION: 0.95,
    PolicyId.FUNDS_REQUEST: 0.95,
    PolicyId.GEOPOLITICS: 0.98,
    PolicyId.HARASSMENT: 0.93,
}
# Hard negatives a head must leave alone: at most this share of them (out of fold) may score
# above its operating point. For geopolitics they are tech-policy posts that name countries
# (the product allows at most 2% of them taken for geopolitics).
HARD_NEGATIVE_RATE = {PolicyId.GEOPOLITICS: 0.01}
# Everyday messages any head may act on, out of fold: the product allows 0.5% of ordinary
# chat nudged by all policies together. The precision target alone is set on our own
# examples, whose negatives are near misses, and let a better-ranking encoder double the
# everyday messages above a harassment point (11 -> 21 of 4,848) while its precision held.
EVERYDAY_RATE = 0.002
# The review point: where a message is worth a moderator's look but not a nudge. Out-of-fold
# precision on our own examples reaches the product's 0.90 there, with a margin (0.91), and
# at most 0.5% of everyday messages score above it: the product's whole false-nudge budget,
# spent here on moderators' time instead of members' goodwill. A false flag costs a
# moderator a glance; a false nudge tells a member they harassed someone.
REVIEW_PRECISION = 0.91
REVIEW_EVERYDAY_RATE = 0.005
# Fold splits whose out-of-fold thresholds are pooled (their median is kept).
THRESHOLD_REPEATS = 3
# Share of a policy's own positives (out of fold) a head's gate lets through to a second pass
# (classifier.SecondPass): the second pass cannot find what the gate keeps from it. For the
# harassment head, 97% lets 2.6% of everyday messages through (128 of 4,848 out of fold).
GATE_RECALL = 0.97
# Our own examples are the register the bot works in; public sets only widen vocabulary.
OWN_WEIGHT = 3.0
# Real Slack chat, a negative for every head, at 0.5. At 1.0 the harassment head stopped
# reading "you" next to a strong word in everyday tech chat as an attack: on the calibration
# half its recall at the operating point rose from 0.70 to 0.74 with the same everyday
# messages above the point (9 of 4,848); at 2.0 it fell back (0.71). The other heads gained
# nothing beyond noise at 1.0 and self_promotion nudged one more held-out everyday message,
# so they keep 0.5.
SLACK_CHAT_WEIGHT = 0.5
SLACK_CHAT_WEIGHT_FOR = {PolicyId.HARASSMENT: 1.0}
EMBEDDING_DIM = 384

CLASSIFIER_POLICIES = (
    PolicyId.SELF_PROMOTION,
    PolicyId.FUNDS_REQUEST,
    PolicyId.GEOPOLITICS,
    PolicyId.HARASSMENT,
)

# Positives of one policy are clean negatives for another, except where the two overlap
# (a paid mastermind is both a plug and a request for money).
_OVERLAPS = {
    PolicyId.SELF_PROMOTION: {PolicyId.FUNDS_REQUEST},
    PolicyId.FUNDS_REQUEST: {PolicyId.SELF_PROMOTION},
}


@dataclass(frozen=True)
class Weighted:
    example: Example
    weight: float


def public_sources(policy: PolicyId) -> list[tuple[Callable[[], list[Example]], float, int]]:
    """(loader, weight, cap) per public set. Weights are low: these are tweets, SMS and
    headlines, not our register, and our own examples must dominate."""
    if policy is PolicyId.SELF_PROMOTION:
        return [(corpus.youtube_spam, 0.3, 2000), (_ham(corpus.sms_spam), 0.2, 1500)]
    if policy is PolicyId.FUNDS_REQUEST:
        return [(corpus.crisislex, 0.3, 4000)]
    if policy is PolicyId.GEOPOLITICS:
        return [(corpus.ag_news, 0.2, 2500)]
    # Harassment's public sets are tweets and Gab posts, a far rougher register than ours;
    # at a third of the weight the others get, out-of-fold recall on our own examples at
    # 0.90 precision rose from 0.65 to 0.70 (average precision 0.904 -> 0.913).
    return [
        (corpus.olid, 0.1, 5000),
        (corpus.tweeteval_hate, 0.06, 3000),
        (corpus.edos, 0.06, 3000),
        (corpus.davidson, 0.06, 3000),
    ]


def _ham(loader: Callable[[], list[Example]]) -> Callable[[], list[Example]]:
    def ham_only() -> list[Example]:
        return [e for e in loader() if e.content == 0]

    return ham_only


def training_set(
    policy: PolicyId,
    slack_chat: Sequence[Example],
    public_scale: float = 1.0,
    slack_weight: float | None = None,
    *,
    with_pending: bool = False,
) -> list[Weighted]:
    """The weighted rows a head is fitted on (train split only). ``slack_weight``: the
    weight of real Slack chat, by default the policy's (`SLACK_CHAT_WEIGHT_FOR`).
    ``with_pending``: our examples in `data/pending/` too (the harassment second pass reads
    them; the first pass, whose adapter was trained without them, does not)."""
    if slack_weight is None:
        slack_weight = SLACK_CHAT_WEIGHT_FOR.get(policy, SLACK_CHAT_WEIGHT)
    own = corpus.own_examples(policy)
    if with_pending:
        own += corpus.own_examples(policy, corpus.PENDING_DIR)
    rows: list[Weighted] = [Weighted(e, OWN_WEIGHT) for e in own]
    for other in (*CLASSIFIER_POLICIES, PolicyId.PRIVATE_INFO):
        if other is policy or other in _OVERLAPS.get(policy, set()):
            continue
        rows += [
            Weighted(Example(e.text, 0, 0, f"own:{other.value}:as-negative"), 0.5)
            for e in corpus.own_examples(other)
            if e.content == 1
        ]
    for chat in corpus.own_ordinary_chat():
        content = 1 if (policy is PolicyId.SELF_PROMOTION and chat.kind == "plug_in_channel") else 0
        rows.append(Weighted(Example(chat.text, content, content, chat.source), OWN_WEIGHT))
    rows += [Weighted(e, slack_weight) for e in slack_chat]
    for loader, weight, cap in public_sources(policy):
        weight *= public_scale
        if weight <= 0:
            continue
        examples = sorted(loader(), key=lambda e: hashlib.sha256(e.text.encode()).hexdigest())
        rows += [Weighted(e, weight) for e in examples[:cap]]
    return [r for r in rows if r.example.split == "train"]


class EmbeddingCache:
    """Embeddings keyed by text and encoder, kept between runs so retraining is quick."""

    def __init__(self, encoder: TextEncoder, path: Path, *, name_emoji: bool = False) -> None:
        self._encoder = encoder
        self._path = path
        self.name_emoji = name_emoji
        self._vectors: dict[str, NDArray[np.float32]] = {}
        if path.exists():
            data = np.load(path, allow_pickle=False)
            self._vectors = dict(zip(data["keys"].tolist(), data["vectors"], strict=True))

    def input(self, raw: str) -> str:
        """What the heads fitted on these embeddings read of a text."""
        return classifier_input(raw, name_emoji=self.name_emoji)

    def embed(self, texts: Sequence[str]) -> NDArray[np.float32]:
        inputs = [self.input(t) for t in texts]
        keys = [hashlib.sha1(t.encode()).hexdigest() for t in inputs]  # noqa: S324 - a cache key
        missing = sorted(
            {k: t for k, t in zip(keys, inputs, strict=True) if k not in self._vectors}.items()
        )
        if missing:
            vectors = self._encoder.embed([t for _, t in missing], batch_size=64)
            for (key, _), vector in zip(missing, vectors, strict=True):
                self._vectors[key] = vector
            self.save()
        return np.stack([self._vectors[k] for k in keys]).astype(np.float32)

    def save(self) -> None:
        self._path.parent.mkdir(parents=True, exist_ok=True)
        keys = np.array(list(self._vectors))
        tmp = self._path.with_suffix(".tmp.npz")
        np.savez(tmp, keys=keys, vectors=np.stack(list(self._vectors.values())))
        os.replace(tmp, self._path)


def operating_threshold(
    labels: NDArray[np.int_], probabilities: NDArray[np.float64], target: float
) -> float:
    """The lowest probability at which out-of-fold precision on our own examples reaches
    the target; recall is what it is there (the evaluation reports it)."""
    order = np.argsort(-probabilities)
    sorted_labels = labels[order]
    tp = np.cumsum(sorted_labels)
    precision = tp / np.arange(1, len(labels) + 1)
    ok = np.where(precision >= target)[0]
    if len(ok) == 0:
        return 0.5
    # The last rank where precision still meets the target sets the threshold.
    return float(probabilities[order][ok[-1]])


def operating_point_report(
    labels: NDArray[np.int_],
    scores: NDArray[np.float64],
    threshold: float,
    everyday_scores: NDArray[np.float64],
) -> dict[str, float | int | str]:
    """What the operating point gives out of fold on the rows that chose it, and how many
    everyday messages score above it: the figures the held-out evaluation should come
    close to."""
    chosen = scores >= threshold
    positives = int(labels.sum())
    return {
        "operating_point_rows": len(labels),
        "operating_point_positives": positives,
        "precision_there": round(float(labels[chosen].mean()) if chosen.any() else 0.0, 3),
        "recall_there": round(float(labels[chosen].sum()) / max(1, positives), 3),
        "everyday_above_point": f"{int((everyday_scores >= threshold).sum())}/{len(everyday_scores)}",
    }


def hard_negative_threshold(scores: NDArray[np.float64], rate: float) -> float:
    """The lowest probability above which at most ``rate`` of these negatives score."""
    if len(scores) == 0:
        return 0.0
    ordered = np.sort(scores)[::-1]
    allowed = int(np.floor(rate * len(ordered)))
    if allowed >= len(ordered):
        return 0.0
    return float(np.nextafter(ordered[allowed], np.inf))


def gate_threshold(positive_scores: NDArray[np.float64], recall: float = GATE_RECALL) -> float:
    """The highest probability that at least ``recall`` of these positives reach."""
    if len(positive_scores) == 0:
        return 0.0
    ordered = np.sort(positive_scores)
    return float(ordered[int(np.floor((1 - recall) * len(ordered)))])


def _strictest_point(
    policy: PolicyId,
    own_labels: NDArray[np.int_],
    own_scores: NDArray[np.float64],
    hard_negative_scores: NDArray[np.float64],
    everyday_scores: NDArray[np.float64],
    precision: float,
    everyday_rate: float,
) -> float:
    """The strictest of: `precision` on our own examples, the share of hard negatives allowed
    above the point (where the policy sets one), and `everyday_rate` of everyday messages."""
    at = operating_threshold(own_labels, own_scores, precision)
    if policy in HARD_NEGATIVE_RATE:
        at = max(at, hard_negative_threshold(hard_negative_scores, HARD_NEGATIVE_RATE[policy]))
    return max(at, hard_negative_threshold(everyday_scores, everyday_rate))


def choose_operating_point(
    policy: PolicyId,
    own_labels: NDArray[np.int_],
    own_scores: NDArray[np.float64],
    hard_negative_scores: NDArray[np.float64],
    everyday_scores: NDArray[np.float64],
) -> float:
    """Where a head nudges: its precision target (`TARGET_PRECISION`) and `EVERYDAY_RATE`."""
    return _strictest_point(
        policy,
        own_labels,
        own_scores,
        hard_negative_scores,
        everyday_scores,
        TARGET_PRECISION[policy],
        EVERYDAY_RATE,
    )


def choose_review_point(
    policy: PolicyId,
    own_labels: NDArray[np.int_],
    own_scores: NDArray[np.float64],
    hard_negative_scores: NDArray[np.float64],
    everyday_scores: NDArray[np.float64],
    operating: float,
) -> float:
    """Where a head asks a moderator to look: `REVIEW_PRECISION` and `REVIEW_EVERYDAY_RATE`,
    never above the operating point (what is worth a nudge is worth a look)."""
    review = _strictest_point(
        policy,
        own_labels,
        own_scores,
        hard_negative_scores,
        everyday_scores,
        REVIEW_PRECISION,
        REVIEW_EVERYDAY_RATE,
    )
    return min(operating, review)


def design_matrix(texts: Sequence[str], cache: EmbeddingCache) -> Any:
    """[embedding | hashed n-grams] as one sparse matrix, the layout Classifier scores."""
    from scipy import sparse

    embeddings = cache.embed(texts)
    rows, cols, vals = [], [], []
    for row, text in enumerate(texts):
        indices, values = hashed(cache.input(text))
        rows.append(np.full(len(indices), row))
        cols.append(indices)
        vals.append(values)
    grams = sparse.csr_matrix(
        (np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))),
        shape=(len(texts), HASH_DIM),
        dtype=np.float32,
    )
    return sparse.hstack([sparse.csr_matrix(embeddings), grams], format="csr")


def fit_head(
    policy: PolicyId, rows: list[Weighted], cache: EmbeddingCache, *, adapted: bool = False
) -> tuple[Head, dict[str, Any]]:
    """Fit one head; its operating point is where out-of-fold precision on our own examples
    reaches the target, raised where too many hard negatives or everyday messages score
    above it (`choose_operating_point`). ``adapted``: the encoder was fine-tuned on most of
    these rows, so only the calibration share it never saw (``splits.in_calibration``) sets
    that point."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold

    x = design_matrix([r.example.text for r in rows], cache)
    y = np.array([r.example.content for r in rows], dtype=np.int_)
    w = np.array([r.weight for r in rows], dtype=np.float64)
    # With a fine-tuned encoder only the calibration share it never saw chooses the point.
    unseen = np.array([not adapted or in_calibration(r.example.text) for r in rows])
    own = unseen & np.array([r.example.source == f"own:{policy.value}" for r in rows])
    # Everyday messages (our own and real Slack chat): the training-time view of the
    # false-nudge rate.
    everyday = (
        unseen
        & np.array(
            [
                r.example.source == "own:ordinary_chat" or r.example.source.startswith("slack-chat")
                for r in rows
            ]
        )
        & (y == 0)
    )

    def model(c: float) -> Any:
        return LogisticRegression(C=c, solver="liblinear", max_iter=5000, class_weight="balanced")

    def out_of_fold(c: float, seed: int) -> NDArray[np.float64]:
        oof = np.zeros(len(rows))
        folds = StratifiedKFold(n_splits=5, shuffle=True, random_state=seed)
        for fit_idx, val_idx in folds.split(np.zeros(len(y)), y):
            fitted = model(c).fit(x[fit_idx], y[fit_idx], sample_weight=w[fit_idx])
            oof[val_idx] = fitted.predict_proba(x[val_idx])[:, 1]
        return oof

    best_c, best_score, oof_best = 1.0, -1.0, np.zeros(len(rows))
    for c in (4.0, 16.0, 64.0):
        oof = out_of_fold(c, SEED)
        score = _average_precision(y[own], oof[own])
        if score > best_score:
            best_c, best_score, oof_best = c, score, oof

    final = model(best_c).fit(x, y, sample_weight=w)
    coef = final.coef_[0].astype(np.float32)
    # The threshold is the score of a single example near the top of the ranking, so one
    # fold split moves it a lot (geopolitics: 0.49 to 0.62 across three splits). The median
    # over THRESHOLD_REPEATS splits is what the head keeps.
    hard = own & np.array([r.example.kind == "hard_negative" for r in rows]) & (y == 0)

    def points(oof: NDArray[np.float64]) -> tuple[float, float]:
        operating = choose_operating_point(policy, y[own], oof[own], oof[hard], oof[everyday])
        review = choose_review_point(policy, y[own], oof[own], oof[hard], oof[everyday], operating)
        return operating, review

    chosen = [points(oof_best)]
    for repeat in range(1, THRESHOLD_REPEATS):
        chosen.append(points(out_of_fold(best_c, SEED + repeat)))
    thresholds = [operating for operating, _ in chosen]
    threshold = float(np.median(thresholds))
    review = min(threshold, float(np.median([r for _, r in chosen])))
    # Where this head gates a second pass (classifier.SecondPass), it lets through what scored
    # like the bulk of its positives.
    gate = min(gate_threshold(oof_best[own & (y == 1)]), threshold)
    sources = Counter(
        r.example.source if r.example.source.startswith("own") else r.example.source.split(":")[0]
        for r in rows
    )
    head = Head(
        policy=policy,
        weights=coef[:EMBEDDING_DIM],
        bias=float(final.intercept_[0]),
        operating_threshold=threshold,
        review_threshold=review,
        meta={
            "format": 2,
            "seed": SEED,
            "c": best_c,
            "features": f"MiniLM-L6 embedding ({EMBEDDING_DIM}) + hashed word 1-2-grams and char 4-grams ({HASH_DIM})",
            "target_precision": TARGET_PRECISION[policy],
            "everyday_rate": EVERYDAY_RATE,
            "review_precision": REVIEW_PRECISION,
            "review_everyday_rate": REVIEW_EVERYDAY_RATE,
            "threshold_repeats": THRESHOLD_REPEATS,
            "own_weight": OWN_WEIGHT,
            "training_rows": dict(sorted(sources.items())),
            "positives": int(y.sum()),
            "operating_point_rows": int(own.sum()),
            "gate": gate,
            "gate_recall": GATE_RECALL,
        },
        hashed_weights=coef[EMBEDDING_DIM:],
    )
    cv = {
        "own_average_precision": round(best_score, 4),
        **operating_point_report(y[own], oof_best[own], threshold, oof_best[everyday]),
        "c": best_c,
        "threshold": round(threshold, 4),
        "thresholds": [round(t, 4) for t in thresholds],
        "review": {
            **operating_point_report(y[own], oof_best[own], review, oof_best[everyday]),
            "threshold": round(review, 4),
        },
        "gate": round(gate, 4),
        "everyday_above_gate": f"{int((oof_best[everyday] >= gate).sum())}/{int(everyday.sum())}",
    }
    return head, cv


def _average_precision(labels: NDArray[np.int_], scores: NDArray[np.float64]) -> float:
    from sklearn.metrics import average_precision_score

    return float(average_precision_score(labels, scores))


def cache_path(encoder_key: str) -> Path:
    base = Path(os.environ.get("CONDUCT_MODEL_CACHE") or Path.home() / ".cache" / "conduct")
    return base / f"embeddings-{encoder_key}.npz"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m moderation.train", description=__doc__)
    parser.add_argument("--out", type=Path, default=HEADS_DIR)
    parser.add_argument("--policies", nargs="*", choices=[p.value for p in CLASSIFIER_POLICIES])
    parser.add_argument(
        "--slack-chat", type=int, default=12000, help="ordinary Slack messages to use"
    )
    parser.add_argument(
        "--with-pending",
        action="store_true",
        help="train on data/pending/ too (the second pass; its adapter must have been too)",
    )
    parser.add_argument(
        "--public-scale",
        type=float,
        default=1.0,
        help="multiply the public sets' weights (0 drops them)",
    )
    args = parser.parse_args(argv)

    from moderation.encoder import Encoder

    # The adapter `python -m moderation.finetune` left beside the heads (if any) shapes the
    # embeddings every head is fitted on.
    adapter = adapter_in(args.out)
    encoder = Encoder.load(adapter=adapter)
    name_emoji = names_emoji(adapter)
    cache = EmbeddingCache(encoder, cache_path(encoder.info.fingerprint), name_emoji=name_emoji)
    slack_chat = corpus.slack_chat(limit=args.slack_chat)
    args.out.mkdir(parents=True, exist_ok=True)
    for policy in (PolicyId(p) for p in args.policies) if args.policies else CLASSIFIER_POLICIES:
        started = time.monotonic()
        rows = training_set(policy, slack_chat, args.public_scale, with_pending=args.with_pending)
        head, cv = fit_head(policy, rows, cache, adapted=adapter is not None)
        head.meta["encoder_adapter"] = adapter.digest if adapter is not None else None
        if name_emoji:
            head.meta["input"] = INPUT_EMOJI_NAMES
        if args.with_pending:
            head.meta["with_pending"] = True
        head.save(args.out)
        print(f"{policy.value}: {len(rows)} rows, {cv}, {time.monotonic() - started:.0f}s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
