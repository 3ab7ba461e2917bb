"""How fast the whole moderation engine is on this machine, next to its limit.

    python bench/moderation_bench.py [--messages 600] [--threads N] [--sample own|slack]

Prints, for community messages (``own``: our own examples of every policy, half of them
positives or near misses, the worst case for the harassment second pass; ``slack``: real
Slack chat from the held-out split), with every policy in scope:
- per-message latency p50 / p99 of Engine.check at batch 1 (parse, signals, encoder, heads,
  rules, thresholds), and of the bare encoder forward pass on the same texts;
- batched throughput of Engine.check_batch and of the bare encoder at the same batch size;
- the share of messages a gate sent to a second pass (a second encoder run);
- the process's peak resident memory.
Results are for quoting in notes, never asserted in tests.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import platform
import resource
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from moderation import corpus
from moderation.classifier import Classifier, classifier_input
from moderation.config import EngineConfig
from moderation.encoder import Encoder
from moderation.engine import Engine
from moderation.ids import PolicyId
from moderation.message import Message


def sample_messages(n: int, sample: str = "own") -> list[Message]:
    pool: list[corpus.Example] = []
    if sample == "slack":
        pool = [e for e in corpus.slack_chat() if e.split == "heldout"]
    else:
        pool += corpus.own_ordinary_chat()
        for policy in PolicyId:
            if policy is not PolicyId.ANONYMOUS_ACCOUNT:
                pool += corpus.own_examples(policy)
    # A stable shuffle: every policy's examples, not the first source's.
    pool.sort(key=lambda e: hashlib.sha256(e.text.encode()).hexdigest())
    # general-discussions puts every message policy in scope: the slowest case.
    return [Message(text=e.text, channel="general-discussions") for e in pool[:n]]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def timed_each(fn: object, items: list[object]) -> list[float]:
    out = []
    for item in items:
        started = time.perf_counter()
        fn(item)  # type: ignore[operator]
        out.append((time.perf_counter() - started) * 1000)
    return out


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--messages", type=int, default=600)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--threads", type=int, default=None, help="ONNX Runtime intra-op threads")
    parser.add_argument("--sample", choices=("own", "slack"), default="own")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()

    started = time.perf_counter()
    classifier = Classifier.load(threads=args.threads)
    load_s = time.perf_counter() - started
    encoder = classifier.encoder  # the bare forward pass the engine is compared with
    assert isinstance(encoder, Encoder)
    engine = Engine(EngineConfig(), classifier)
    messages = sample_messages(args.messages, args.sample)
    texts = [classifier_input(m.text) or "." for m in messages]
    first_pass = classifier.probabilities(encoder.embed(texts), texts)
    read_again = {
        second.policy.value: round(
            float(
                second.lets_through(first_pass[:, classifier.policies.index(second.policy)]).mean()
            ),
            3,
        )
        for second in classifier.second_passes
    }

    for m in messages[:20]:  # warm-up: first calls allocate arenas
        engine.check(m)
        encoder.embed([classifier_input(m.text) or "."])

    engine_ms = timed_each(engine.check, messages)  # type: ignore[arg-type]
    encoder_ms = timed_each(lambda t: encoder.embed([t]), texts)  # type: ignore[arg-type]

    b = args.batch_size
    started = time.perf_counter()
    for i in range(0, len(messages), b):
        engine.check_batch(messages[i : i + b], batch_size=b)
    engine_rate = len(messages) / (time.perf_counter() - started)
    started = time.perf_counter()
    for i in range(0, len(texts), b):
        encoder.embed(texts[i : i + b], batch_size=b)
    encoder_rate = len(texts) / (time.perf_counter() - started)

    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    result = {
        "machine": f"{platform.machine()}, {platform.python_implementation()} {platform.python_version()}",
        "encoder": encoder.info.as_dict(),
        "messages": len(messages),
        "sample": args.sample,
        "share_read_again_by_second_pass": read_again,
        "model_load_s": round(load_s, 2),
        "engine_batch1_ms": {
            "p50": round(statistics.median(engine_ms), 2),
            "p99": round(percentile(engine_ms, 99), 2),
        },
        "encoder_batch1_ms": {
            "p50": round(statistics.median(encoder_ms), 2),
            "p99": round(percentile(encoder_ms, 99), 2),
        },
        f"engine_batch{b}_msgs_per_s": round(engine_rate, 1),
        f"encoder_batch{b}_msgs_per_s": round(encoder_rate, 1),
        "batched_throughput_vs_bare_encoder": round(engine_rate / encoder_rate, 3),
        "peak_rss_mb": round(peak_mb, 1),
    }
    print(json.dumps(result, indent=1))
    if args.json:
        args.json.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
