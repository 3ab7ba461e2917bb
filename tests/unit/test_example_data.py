"""Our own labelled examples: well-formed, and pending ones not yet among them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from moderation.corpus import EXAMPLES_DIR, PENDING_DIR, _jsonl

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


def test_pending_examples_are_read_like_trained_ones_and_a_missing_file_is_none() -> None:
    from moderation.corpus import own_examples
    from moderation.ids import PolicyId

    pending = own_examples(PolicyId.HARASSMENT, PENDING_DIR)
    assert len(pending) == len(rows(PENDING_DIR / "harassment.jsonl"))
    assert {e.label for e in pending} == {0, 1}
    assert all(e.source == "own:harassment" for e in pending)
    assert own_examples(PolicyId.GEOPOLITICS, PENDING_DIR) == []
