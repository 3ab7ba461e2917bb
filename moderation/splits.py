"""The one rule that decides which examples are held out from training and tuning."""

from __future__ import annotations

import hashlib

HELDOUT_SHARE = 4  # one example in four


def split_of(key: str) -> str:
    """'heldout' or 'train', stable across runs and machines (a hash of the text, not a
    random draw), so a new example never moves an old one between splits."""
    digest = hashlib.sha256(key.strip().encode("utf-8")).hexdigest()
    return "heldout" if int(digest[:8], 16) % HELDOUT_SHARE == 0 else "train"
