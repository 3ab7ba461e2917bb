"""Bar charts as PNG bytes (matplotlib, Agg backend: no display, no network), and as
`data:` URIs for self-contained HTML pages."""

from __future__ import annotations

import base64
import io
from collections.abc import Sequence

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt

COLOR = "#4a6fa5"


def bar_chart(
    title: str,
    labels: Sequence[str],
    values: Sequence[float],
    *,
    ylabel: str = "",
    value_labels: Sequence[str] | None = None,
) -> bytes:
    """A vertical bar chart; `value_labels` are printed over the bars (e.g. "<5")."""
    width = max(6.0, min(14.0, 0.6 * len(labels) + 2))
    fig, ax = plt.subplots(figsize=(width, 3.6), dpi=100)
    try:
        positions = list(range(len(labels)))
        ax.bar(positions, values, color=COLOR)
        slanted = len(labels) > 3
        ax.set_xticks(
            positions,
            list(labels),
            rotation=25 if slanted else 0,
            ha="right" if slanted else "center",
        )
        ax.set_ylim(0, max(5.0, max(values, default=0.0) * 1.15))
        ax.set_title(title)
        ax.set_ylabel(ylabel)
        ax.spines[["top", "right"]].set_visible(False)
        if value_labels is not None:
            for x, y, text in zip(positions, values, value_labels, strict=True):
                ax.annotate(text, (x, y), ha="center", va="bottom", fontsize=8)
        if not labels:
            ax.text(0.5, 0.5, "nothing in this period", ha="center", transform=ax.transAxes)
        fig.tight_layout()
        out = io.BytesIO()
        fig.savefig(out, format="png")
        return out.getvalue()
    finally:
        plt.close(fig)


def data_uri(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")
