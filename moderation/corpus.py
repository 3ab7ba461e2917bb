"""Labeled examples for training and evaluation: our own (committed under
`moderation/data/examples/`) and the public sets in `../shared/datasets/` (read in place,
never copied into the repository).

Two labels matter and they differ on purpose:

* `label` is what the *policy* should decide for the message in its channel (a plug in
  #shameless-plugs is fine, so its label is 0);
* `content` is what the *classifier head* should say about the words alone (that same plug
  is still a plug). Channel scope is a rule applied after the head, so heads are trained on
  `content` and policies are evaluated on `label`.
"""

from __future__ import annotations

import csv
import json
import os
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from moderation.ids import PolicyId
from moderation.splits import split_of

EXAMPLES_DIR = Path(__file__).parent / "data" / "examples"
# Examples written but not trained on yet (MODEL_CARD.md says why): evaluated, never fitted.
PENDING_DIR = EXAMPLES_DIR.parent / "pending"
REPO_ROOT = Path(__file__).resolve().parent.parent


def shared_datasets_dir() -> Path:
    """`../shared/datasets` next to the repository, or `CONDUCT_DATASETS`."""
    return Path(os.environ.get("CONDUCT_DATASETS", REPO_ROOT.parent / "shared" / "datasets"))


@dataclass(frozen=True)
class Example:
    text: str
    label: int
    content: int
    source: str
    channel: str = ""
    kind: str = ""

    @property
    def split(self) -> str:
        return split_of(self.text)


# Notes that mark a label decided by the channel alone: the words are the policy's kind.
_CHANNEL_ONLY = {
    PolicyId.SELF_PROMOTION: ("in plugs channel", "shameless-plugs"),
    PolicyId.GEOPOLITICS: ("outside general-discussions",),
}


def own_examples(policy: PolicyId, directory: Path = EXAMPLES_DIR) -> list[Example]:
    path = directory / f"{policy.value}.jsonl"
    if directory != EXAMPLES_DIR and not path.exists():
        return []
    examples = []
    for row in _jsonl(path):
        label = int(row["label"])
        note = str(row.get("note") or "")
        channel_only = any(marker in note for marker in _CHANNEL_ONLY.get(policy, ()))
        examples.append(
            Example(
                text=str(row["text"]),
                label=label,
                content=1 if channel_only else label,
                source=f"own:{policy.value}",
                channel=str(row.get("channel") or ""),
                kind=str(row.get("kind") or ""),
            )
        )
    return examples


def own_ordinary_chat() -> list[Example]:
    """Everyday community messages: no policy should act on them."""
    out = []
    for row in _jsonl(EXAMPLES_DIR / "ordinary_chat.jsonl"):
        note = str(row.get("note") or "")
        out.append(
            Example(
                text=str(row["text"]),
                label=0,
                content=0,
                source="own:ordinary_chat",
                channel=str(row.get("channel") or ""),
                kind="plug_in_channel" if "shameless-plugs" in note else str(row.get("kind") or ""),
            )
        )
    return out


def own_accounts() -> list[tuple[str, str, int]]:
    return [
        (str(r["real_name"]), str(r.get("display_name") or ""), int(r["label"]))
        for r in _jsonl(EXAMPLES_DIR / "anonymous_account.jsonl")
    ]


def _jsonl(path: Path) -> Iterator[dict[str, Any]]:
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                yield json.loads(line)


# --- public sets (shared/datasets/README.md explains each one and its caveats) -----------

# Source-specific tokens a model could learn instead of the policy.
_ARTIFACTS = re.compile(
    r"@USER|@user|\[USER\]|\[URL\]|\bURL\b|RT @\w+:?|@\w+|https?://\S+|&amp;|&lt;|&gt;|&#\d+;"
)


def clean_public_text(text: str) -> str:
    return re.sub(r"\s+", " ", _ARTIFACTS.sub(" ", text)).strip()


def slack_chat(limit: int | None = None) -> list[Example]:
    """Real public Slack chat (racket, clojurians): ordinary chat for every policy."""
    out: list[Example] = []
    for path in sorted((shared_datasets_dir() / "slack-chat").glob("*.xml")):
        root = ET.parse(path).getroot()  # noqa: S314 - trusted local research files
        for message in root.iter("message"):
            text = (message.findtext("text") or "").strip()
            if len(text) >= 3:
                out.append(Example(text, 0, 0, f"slack-chat:{path.stem}"))
    out.sort(key=lambda e: split_of("order:" + e.text))  # a stable shuffle
    return out[:limit] if limit else out


def youtube_spam() -> list[Example]:
    out = []
    for path in sorted((shared_datasets_dir() / "youtube-spam").glob("*.csv")):
        with path.open(encoding="utf-8", errors="replace", newline="") as handle:
            for row in csv.DictReader(handle):
                text = clean_public_text(row["CONTENT"])
                if text:
                    label = int(row["CLASS"])
                    out.append(Example(text, label, label, "youtube-spam"))
    return out


def sms_spam() -> list[Example]:
    path = shared_datasets_dir() / "sms-spam" / "SMSSpamCollection.tsv"
    out = []
    with path.open(encoding="utf-8", errors="replace", newline="") as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            label = 1 if row["Label"] == "spam" else 0
            out.append(Example(row["SMS"].strip(), label, label, "sms-spam"))
    return out


def olid() -> list[Example]:
    """OLID: OFF+TIN+IND/GRP is an insult aimed at someone (our policy); UNT is untargeted
    profanity, which our policy does not count."""
    path = shared_datasets_dir() / "olid" / "olid-training-v1.0.tsv"
    out = []
    with path.open(encoding="utf-8", errors="replace", newline="") as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            targeted = (
                row["subtask_a"] == "OFF"
                and row["subtask_b"] == "TIN"
                and row["subtask_c"] in ("IND", "GRP")
            )
            text = clean_public_text(row["tweet"])
            if text and not (
                row["subtask_a"] == "OFF" and not targeted and row["subtask_b"] == "TIN"
            ):
                out.append(Example(text, int(targeted), int(targeted), "olid"))
    return out


def tweeteval_hate() -> list[Example]:
    base = shared_datasets_dir() / "tweeteval-hate"
    out = []
    for part in ("train", "val", "test"):
        # Pair by line number without dropping blank lines, or every later label shifts.
        texts = (base / f"{part}_text.txt").read_text(encoding="utf-8").split("\n")
        labels = (base / f"{part}_labels.txt").read_text(encoding="utf-8").split("\n")
        for text, label in zip(texts, labels, strict=False):
            cleaned = clean_public_text(text)
            if cleaned and label.strip():
                out.append(Example(cleaned, int(label), int(label), f"tweeteval-hate:{part}"))
    return out


def edos() -> list[Example]:
    path = shared_datasets_dir() / "edos" / "edos_train.csv"
    out = []
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            label = 1 if row["label_sexist"] == "sexist" else 0
            text = clean_public_text(row["text"])
            if text:
                out.append(Example(text, label, label, "edos"))
    return out


def davidson() -> list[Example]:
    """Hate speech (majority of annotators) as positives; 'neither' as negatives. The
    'offensive' class is mostly untargeted profanity, so it is left out rather than guessed."""
    path = shared_datasets_dir() / "offensive-tweets" / "labeled_data.csv"
    out = []
    with path.open(encoding="utf-8", errors="replace", newline="") as handle:
        for row in csv.DictReader(handle):
            count = int(row["count"])
            hate, neither = int(row["hate_speech"]), int(row["neither"])
            text = clean_public_text(row["tweet"])
            if not text:
                continue
            if hate * 2 > count:
                out.append(Example(text, 1, 1, "davidson"))
            elif neither * 2 > count:
                out.append(Example(text, 0, 0, "davidson"))
    return out


def ag_news() -> list[Example]:
    """Headlines. 'World' mixes wars and elections with disasters and crime, so it is not
    used as a label; Sports, Business and Sci/Tech serve as negatives for geopolitics."""
    path = shared_datasets_dir() / "news-topics" / "ag_news_test.csv"
    out = []
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            if row["label"] != "1":
                text = clean_public_text(f"{row['title']}. {row['description']}".replace("\\", " "))
                out.append(Example(text, 0, 0, f"ag-news:{row['label']}"))
    return out


_MONEY_CUES = re.compile(
    r"\bdonat\w*|\bfund\w*|\$\d|\btext \w+ to \d{4,}|\braise money|\bpaypal|\bcontribut\w*|\bgive\b",
    re.IGNORECASE,
)


def crisislex() -> list[Example]:
    """'Donations and volunteering' with money cues as weak positives; every other type
    (including sympathy that talks about giving without asking) as negatives."""
    out = []
    for path in sorted((shared_datasets_dir() / "crisislex-t26").glob("*.csv")):
        with path.open(encoding="utf-8", errors="replace", newline="") as handle:
            for row in csv.DictReader(handle, skipinitialspace=True):
                kind = row.get("Information Type", "")
                text = clean_public_text(row.get("Tweet Text", ""))
                if not text or kind in ("Not labeled", ""):
                    continue
                if kind == "Donations and volunteering":
                    if _MONEY_CUES.search(text) and "blood" not in text.lower():
                        out.append(Example(text, 1, 1, "crisislex"))
                else:
                    out.append(Example(text, 0, 0, "crisislex"))
    return out
