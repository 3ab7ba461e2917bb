"""Our own labelled examples: well-formed, and pending ones not yet among them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from moderation.corpus import EXAMPLES_DIR, _jsonl

PENDING_DIR = EXAMPLES_DIR.parent / "pending"
KINDS = {1: {"positive"}, 0: {"hard_negative", "negative"}}


def rows(path: Path) -> list[dict[str, Any]]:
    """Read as training reads them (`corpus._jsonl`)."""
    return list(_jsonl(path))


@pytest.mark.parametrize("path", sorted(PENDING_DIR.glob("*.jsonl")), ids=lambda p: p.name)
def test_pending_examples_are_labelled_like_the_ones_trained_on(path: Path) -> None:
    for row in rows(path):
        assert set(row) == {"text", "label", "channel", "kind", "note"}, row
        assert row["kind"] in KINDS[int(row["label"])], row
        assert str(row["text"]).strip() and str(row["note"]).strip(), row


@pytest.mark.parametrize("path", sorted(PENDING_DIR.glob("*.jsonl")), ids=lambda p: p.name)
def test_pending_examples_are_not_already_trained_on(path: Path) -> None:
    trained = {str(r["text"]) for r in rows(EXAMPLES_DIR / path.name)}
    pending = [str(r["text"]) for r in rows(path)]
    assert len(set(pending)) == len(pending)
    assert not trained & set(pending)
