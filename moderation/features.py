"""Hashed n-gram features: the words themselves, next to the encoder's sense of them.

A frozen sentence encoder blurs the details these policies turn on ("my course" versus "a
course", "you idiot" versus "this idiot bug"); word pairs and character grams keep them.
Hashing (a fixed CRC-32 of each gram, modulo HASH_DIM) needs no vocabulary file and gives
the same features at training and at run time without scikit-learn.
"""

from __future__ import annotations

import itertools
import re
import zlib

import numpy as np
from numpy.typing import NDArray

from moderation.text import fold_for_keywords

HASH_DIM = 1 << 17
_WORD = re.compile(r"[\w$@%']+", re.UNICODE)
_CHAR_N = 4


def feature_text(classifier_input: str) -> str:
    """Folded against evasion, so "d.o.n.a.t.e" and "g0fundme" hash like the real words."""
    return fold_for_keywords(classifier_input)


def _grams(text: str) -> list[str]:
    words = _WORD.findall(text)
    grams = [f"w:{w}" for w in words]
    grams += [f"b:{a} {b}" for a, b in itertools.pairwise(words)]
    for word in words:
        padded = f" {word} "
        if len(padded) <= _CHAR_N:
            grams.append(f"c:{padded}")
        else:
            grams += [f"c:{padded[i : i + _CHAR_N]}" for i in range(len(padded) - _CHAR_N + 1)]
    return grams


def hashed(text: str) -> tuple[NDArray[np.int64], NDArray[np.float32]]:
    """Sparse L2-normalised counts: (indices, values), indices unique and sorted."""
    grams = _grams(feature_text(text))
    if not grams:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
    indices = np.fromiter(
        (zlib.crc32(g.encode("utf-8")) % HASH_DIM for g in grams), dtype=np.int64, count=len(grams)
    )
    unique, counts = np.unique(indices, return_counts=True)
    values = np.sqrt(counts.astype(np.float32))  # sublinear: a repeated word is not a shout
    values /= float(np.linalg.norm(values))
    return unique, values.astype(np.float32)
