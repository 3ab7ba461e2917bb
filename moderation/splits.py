"""The one rule that decides which examples are held out from training and tuning."""

from __future__ import annotations

import hashlib

HELDOUT_SHARE = 4  # one example in four


def split_of(key: str) -> str:
    """'heldout' or 'train', stable across runs and machines (a hash of the text, not a
    random draw), so a new example never moves an old one between splits."""
    digest = hashlib.sha256(key.strip().encode("utf-8")).hexdigest()
    return "heldout" if int(digest[:8], 16) % HELDOUT_SHARE == 0 else "train"


CALIBRATION_SHARE = 2  # one training example in two, when the encoder is fine-tuned


def in_calibration(key: str) -> bool:
    """Whether a *training* example is kept from the encoder's fine-tuning
    (`moderation.finetune`) so the heads' operating points can be chosen on examples the
    adapted encoder never saw: a fine-tuned encoder separates its own training examples far
    better than new ones, and thresholds chosen on them are too loose (harassment: 0.885
    held-out precision for a 0.93 target). Half, not a quarter: with a quarter (~100
    harassment positives) the operating points moved too much between fold splits.
    Independent of `split_of` (other bits of the same hash)."""
    digest = hashlib.sha256(key.strip().encode("utf-8")).hexdigest()
    return int(digest[8:16], 16) % CALIBRATION_SHARE == 0
