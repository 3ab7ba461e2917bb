"""A BERT sentence encoder as an ONNX graph, built from safetensors weights without torch.

:func:`build_sentence_encoder` reads a Hugging Face BERT checkpoint (``config.json`` and
``model.safetensors``, as sentence-transformers models ship them) and writes the whole
forward pass as one ONNX model: embeddings, the encoder layers, masked mean pooling and
L2 normalisation. One ONNX Runtime call takes ``input_ids`` and ``attention_mask``
(int64, ``[batch, seq]``) and returns ``embeddings`` (float32, ``[batch, hidden]``).

The node patterns follow what ``torch.onnx.export`` writes for ``BertModel`` (Q/K/V as
MatMul + Add + Reshape + Transpose, the ``(1 - mask) * -10000`` additive bias, GELU as
``x * 0.5 * (1 + erf(x / sqrt 2))``), so that ONNX Runtime's graph optimisers and its
``onnxruntime.transformers`` optimiser recognise them and fuse Attention,
SkipLayerNormalization and Gelu.

Pure functions of their inputs; the only I/O is reading the model folder.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import onnx
from numpy.typing import NDArray
from onnx import TensorProto, helper, numpy_helper
from safetensors import safe_open

from moderation.adapter import Adapter

#: Bump when the graph this module writes changes, so cached graphs are rebuilt.
BUILDER_VERSION = "1"

#: LayerNormalization is an ONNX op from opset 17; ONNX Runtime fuses the Erf form of GELU.
OPSET = 17

#: What torch.onnx exports for BERT's attention mask; exp(-10000) is 0 in float32.
_MASK_FILL = -10000.0

#: ONNX Runtime's contrib operators (Attention, SkipLayerNormalization, BiasGelu).
MS_DOMAIN = "com.microsoft"

INPUT_IDS = "input_ids"
ATTENTION_MASK = "attention_mask"
OUTPUT = "embeddings"


@dataclass(frozen=True, slots=True)
class BertConfig:
    """The parts of a Hugging Face ``BertConfig`` the graph needs (defaults: MiniLM-L6)."""

    hidden_size: int = 384
    num_hidden_layers: int = 6
    num_attention_heads: int = 12
    intermediate_size: int = 1536
    vocab_size: int = 30522
    max_position_embeddings: int = 512
    type_vocab_size: int = 2
    layer_norm_eps: float = 1e-12
    hidden_act: str = "gelu"
    pad_token_id: int = 0

    @property
    def head_size(self) -> int:
        return self.hidden_size // self.num_attention_heads

    @classmethod
    def from_json(cls, path: Path) -> BertConfig:
        raw: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        model_type = raw.get("model_type", "bert")
        if model_type != "bert":
            raise ValueError(f"{path}: model_type {model_type!r} is not 'bert'")
        if raw.get("position_embedding_type", "absolute") != "absolute":
            raise ValueError(f"{path}: only absolute position embeddings are supported")
        defaults = cls()
        config = cls(
            hidden_size=int(raw.get("hidden_size", defaults.hidden_size)),
            num_hidden_layers=int(raw.get("num_hidden_layers", defaults.num_hidden_layers)),
            num_attention_heads=int(raw.get("num_attention_heads", defaults.num_attention_heads)),
            intermediate_size=int(raw.get("intermediate_size", defaults.intermediate_size)),
            vocab_size=int(raw.get("vocab_size", defaults.vocab_size)),
            max_position_embeddings=int(
                raw.get("max_position_embeddings", defaults.max_position_embeddings)
            ),
            type_vocab_size=int(raw.get("type_vocab_size", defaults.type_vocab_size)),
            layer_norm_eps=float(raw.get("layer_norm_eps", defaults.layer_norm_eps)),
            hidden_act=str(raw.get("hidden_act", defaults.hidden_act)),
            pad_token_id=int(raw.get("pad_token_id", defaults.pad_token_id)),
        )
        if config.hidden_act != "gelu":
            raise ValueError(f"{path}: hidden_act {config.hidden_act!r} is not 'gelu' (erf form)")
        if config.hidden_size % config.num_attention_heads:
            raise ValueError(f"{path}: hidden_size is not a multiple of num_attention_heads")
        return config


@dataclass(frozen=True, slots=True)
class PoolingConfig:
    """sentence-transformers' ``1_Pooling/config.json``: only mean pooling is supported."""

    dimension: int
    mean: bool = True

    @classmethod
    def from_model_dir(cls, model_dir: Path, hidden_size: int) -> PoolingConfig:
        path = model_dir / "1_Pooling" / "config.json"
        if not path.is_file():
            return cls(dimension=hidden_size)
        raw: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        modes = {k for k, v in raw.items() if k.startswith("pooling_mode_") and v}
        if modes != {"pooling_mode_mean_tokens"}:
            raise ValueError(f"{path}: pooling {sorted(modes)} is not plain mean pooling")
        dimension = int(raw.get("word_embedding_dimension", hidden_size))
        if dimension != hidden_size:
            raise ValueError(f"{path}: word_embedding_dimension {dimension} != hidden_size")
        return cls(dimension=dimension)


class _Weights:
    """Reads one tensor at a time from a safetensors file (BERT keys, ``bert.`` prefix optional)."""

    def __init__(self, handle: Any, adapter: Adapter | None = None) -> None:
        self._handle = handle
        keys: list[str] = list(handle.keys())
        self._prefix = "bert." if "bert.embeddings.word_embeddings.weight" in keys else ""
        self._adapter = adapter
        self._adapted: set[str] = set()

    def get(self, name: str) -> NDArray[np.float32]:
        array: NDArray[Any] = self._handle.get_tensor(self._prefix + name)
        weight = np.ascontiguousarray(array, dtype=np.float32)
        delta = self._adapter.delta(name) if self._adapter is not None else None
        if delta is None:
            return weight
        if delta.shape != weight.shape:
            raise ValueError(f"adapter for {name}: shape {delta.shape}, weight {weight.shape}")
        self._adapted.add(name.removesuffix(".weight"))
        return weight + delta

    def check_adapter_used(self) -> None:
        """An adapter trained for another model would leave some of its layers unused."""
        if self._adapter is not None:
            unused = sorted(set(self._adapter.factors) - self._adapted)
            if unused:
                raise ValueError(f"adapter layers not in this model: {unused[:3]}")


class _GraphBuilder:
    def __init__(self) -> None:
        self.nodes: list[onnx.NodeProto] = []
        self.initializers: list[onnx.TensorProto] = []
        self._names: set[str] = set()

    def const(self, name: str, array: NDArray[Any]) -> str:
        if name in self._names:
            raise ValueError(f"duplicate initializer {name}")
        self._names.add(name)
        self.initializers.append(numpy_helper.from_array(array, name))
        return name

    def scalar(self, value: float) -> str:
        """A float32 scalar constant, shared by every node that uses the same value."""
        name = f"const.f{value!r}"
        if name not in self._names:
            self.const(name, np.array(value, dtype=np.float32))
        return name

    def ints(self, *values: int) -> str:
        """A 1-D int64 constant (axes, shapes), shared like :meth:`scalar`."""
        name = "const.i" + "_".join(str(v) for v in values)
        if name not in self._names:
            self.const(name, np.array(values, dtype=np.int64))
        return name

    def node(self, op: str, inputs: list[str], name: str, **attrs: Any) -> str:
        out = f"{name}_out"
        self.nodes.append(helper.make_node(op, inputs, [out], name=name, **attrs))
        return out

    def linear(
        self, x: str, weight: NDArray[np.float32], bias: NDArray[np.float32], name: str
    ) -> str:
        """``x @ weight.T + bias`` for a torch Linear ``weight`` of shape ``[out, in]``."""
        w = self.const(f"{name}.weight", np.ascontiguousarray(weight.T))
        b = self.const(f"{name}.bias", bias)
        return self.node("Add", [self.node("MatMul", [x, w], f"{name}.MatMul"), b], f"{name}.Add")

    def layer_norm(self, x: str, weights: _Weights, prefix: str, eps: float) -> str:
        gamma = self.const(f"{prefix}.weight", weights.get(f"{prefix}.weight"))
        beta = self.const(f"{prefix}.bias", weights.get(f"{prefix}.bias"))
        return self.node(
            "LayerNormalization",
            [x, gamma, beta],
            f"{prefix}.LayerNormalization",
            axis=-1,
            epsilon=eps,
        )


def _encoder_layer(
    g: _GraphBuilder, x: str, mask_bias: str, weights: _Weights, config: BertConfig, index: int
) -> str:
    """One BERT layer in standard ONNX ops, as torch.onnx.export writes it."""
    p = f"encoder.layer.{index}"

    def projection(kind: str, perm: list[int]) -> str:
        name = f"{p}.attention.self.{kind}"
        y = g.linear(x, weights.get(f"{name}.weight"), weights.get(f"{name}.bias"), name)
        y = g.node(
            "Reshape",
            [y, g.ints(0, 0, config.num_attention_heads, config.head_size)],
            f"{name}.Reshape",
        )
        return g.node("Transpose", [y], f"{name}.Transpose", perm=perm)

    q = projection("query", [0, 2, 1, 3])  # [B, H, S, D]
    k = projection("key", [0, 2, 3, 1])  # [B, H, D, S]
    v = projection("value", [0, 2, 1, 3])  # [B, H, S, D]
    scores = g.node("MatMul", [q, k], f"{p}.attention.self.MatMul_qk")
    scores = g.node(
        "Div", [scores, g.scalar(math.sqrt(config.head_size))], f"{p}.attention.self.Div"
    )
    scores = g.node("Add", [scores, mask_bias], f"{p}.attention.self.Add_mask")
    probs = g.node("Softmax", [scores], f"{p}.attention.self.Softmax", axis=-1)
    context = g.node("MatMul", [probs, v], f"{p}.attention.self.MatMul_v")
    context = g.node("Transpose", [context], f"{p}.attention.self.Transpose_ctx", perm=[0, 2, 1, 3])
    context = g.node(
        "Reshape", [context, g.ints(0, 0, config.hidden_size)], f"{p}.attention.self.Reshape_ctx"
    )

    name = f"{p}.attention.output.dense"
    attn = g.linear(context, weights.get(f"{name}.weight"), weights.get(f"{name}.bias"), name)
    attn = g.node("Add", [attn, x], f"{p}.attention.output.Add_residual")
    attn = g.layer_norm(attn, weights, f"{p}.attention.output.LayerNorm", config.layer_norm_eps)

    name = f"{p}.intermediate.dense"
    h = g.linear(attn, weights.get(f"{name}.weight"), weights.get(f"{name}.bias"), name)
    # Exact GELU, as BERT uses it: x * 0.5 * (1 + erf(x / sqrt(2))).
    erf = g.node(
        "Erf", [g.node("Div", [h, g.scalar(math.sqrt(2.0))], f"{p}.gelu.Div")], f"{p}.gelu.Erf"
    )
    gelu = g.node("Add", [erf, g.scalar(1.0)], f"{p}.gelu.Add")
    gelu = g.node("Mul", [h, gelu], f"{p}.gelu.Mul")
    gelu = g.node("Mul", [gelu, g.scalar(0.5)], f"{p}.gelu.Mul_half")

    name = f"{p}.output.dense"
    out = g.linear(gelu, weights.get(f"{name}.weight"), weights.get(f"{name}.bias"), name)
    out = g.node("Add", [out, attn], f"{p}.output.Add_residual")
    return g.layer_norm(out, weights, f"{p}.output.LayerNorm", config.layer_norm_eps)


def _fused_encoder_layer(
    g: _GraphBuilder, x: str, mask: str, weights: _Weights, config: BertConfig, index: int
) -> str:
    """One BERT layer in ONNX Runtime's fused CPU operators (domain ``com.microsoft``).

    The same nodes ``onnxruntime.transformers.optimizer`` makes of :func:`_encoder_layer`
    (Attention with packed Q/K/V weights, SkipLayerNormalization for residual + bias +
    LayerNorm, BiasGelu for the exact GELU), written directly: that optimiser needs
    sympy, and for its second pass torch. ``mask`` is the raw int32 ``[B, S]`` mask.
    """
    p = f"encoder.layer.{index}"
    eps = config.layer_norm_eps
    qkv = [f"{p}.attention.self.{kind}" for kind in ("query", "key", "value")]
    qkv_weight = np.concatenate([weights.get(f"{n}.weight").T for n in qkv], axis=1)
    qkv_bias = np.concatenate([weights.get(f"{n}.bias") for n in qkv])
    context = g.node(
        "Attention",
        [
            x,
            g.const(f"{p}.attention.self.qkv.weight", np.ascontiguousarray(qkv_weight)),
            g.const(f"{p}.attention.self.qkv.bias", qkv_bias),
            mask,
        ],
        f"{p}.attention.self.Attention",
        domain=MS_DOMAIN,
        num_heads=config.num_attention_heads,
    )

    def skip_layer_norm(y: str, residual: str, dense: str, ln: str) -> str:
        return g.node(
            "SkipLayerNormalization",
            [
                y,
                residual,
                g.const(f"{ln}.weight", weights.get(f"{ln}.weight")),
                g.const(f"{ln}.bias", weights.get(f"{ln}.bias")),
                g.const(f"{dense}.bias", weights.get(f"{dense}.bias")),
            ],
            f"{ln}.SkipLayerNormalization",
            domain=MS_DOMAIN,
            epsilon=eps,
        )

    def matmul(y: str, dense: str) -> str:
        w = g.const(f"{dense}.weight", np.ascontiguousarray(weights.get(f"{dense}.weight").T))
        return g.node("MatMul", [y, w], f"{dense}.MatMul")

    dense = f"{p}.attention.output.dense"
    attn = skip_layer_norm(matmul(context, dense), x, dense, f"{p}.attention.output.LayerNorm")
    dense = f"{p}.intermediate.dense"
    bias = g.const(f"{dense}.bias", weights.get(f"{dense}.bias"))
    h = g.node(
        "BiasGelu", [matmul(attn, dense), bias], f"{p}.intermediate.BiasGelu", domain=MS_DOMAIN
    )
    dense = f"{p}.output.dense"
    return skip_layer_norm(matmul(h, dense), attn, dense, f"{p}.output.LayerNorm")


def build_sentence_encoder(
    model_dir: Path, *, fused: bool = False, normalize: bool = True, adapter: Adapter | None = None
) -> onnx.ModelProto:
    """The ONNX sentence encoder for the BERT checkpoint in ``model_dir``.

    ``model_dir`` holds ``config.json``, ``model.safetensors`` and optionally
    sentence-transformers' ``1_Pooling/config.json`` (which must say mean pooling).
    ``fused`` writes the encoder layers in ONNX Runtime's fused operators (faster on
    ONNX Runtime, which is the only runtime that has them); otherwise standard ONNX
    ops only. Either way the model expects right-padded batches, as any tokenizer makes.
    ``adapter``: a low-rank adapter (``moderation.adapter``) merged into the weights.
    """
    config = BertConfig.from_json(model_dir / "config.json")
    PoolingConfig.from_model_dir(model_dir, config.hidden_size)
    g = _GraphBuilder()
    with safe_open(str(model_dir / "model.safetensors"), framework="numpy") as handle:
        weights = _Weights(handle, adapter)
        # Embeddings: word[input_ids] + position[0:seq] + token_type[0] (one segment), then LN.
        word = g.const(
            "embeddings.word_embeddings.weight", weights.get("embeddings.word_embeddings.weight")
        )
        positions = weights.get("embeddings.position_embeddings.weight")
        token_type = weights.get("embeddings.token_type_embeddings.weight")
        # Every input is one segment (token_type_ids all 0): fold that row into the positions.
        g.const("embeddings.position_embeddings.weight", positions + token_type[0])
        emb = g.node("Gather", [word, INPUT_IDS], "embeddings.word_embeddings.Gather", axis=0)
        seq_len = g.node("Shape", [INPUT_IDS], "embeddings.Shape_seq", start=1, end=2)
        pos = g.node(
            "Slice",
            ["embeddings.position_embeddings.weight", g.ints(0), seq_len, g.ints(0)],
            "embeddings.position_embeddings.Slice",
        )
        emb = g.node("Add", [emb, pos], "embeddings.Add_position")
        x = g.layer_norm(emb, weights, "embeddings.LayerNorm", config.layer_norm_eps)

        if fused:
            # The fused Attention takes the raw mask as int32 [B, S] (0 = padding).
            mask = g.node("Cast", [ATTENTION_MASK], "mask.Cast", to=TensorProto.INT32)
            for index in range(config.num_hidden_layers):
                x = _fused_encoder_layer(g, x, mask, weights, config, index)
        else:
            # Additive attention bias [B, 1, 1, S]: 0 where attended, -10000 where padded.
            m = g.node("Unsqueeze", [ATTENTION_MASK, g.ints(1)], "mask.Unsqueeze_1")
            m = g.node("Unsqueeze", [m, g.ints(1)], "mask.Unsqueeze_2")
            m = g.node("Cast", [m], "mask.Cast", to=TensorProto.FLOAT)
            m = g.node("Sub", [g.scalar(1.0), m], "mask.Sub")
            mask_bias = g.node("Mul", [m, g.scalar(_MASK_FILL)], "mask.Mul")
            for index in range(config.num_hidden_layers):
                x = _encoder_layer(g, x, mask_bias, weights, config, index)
        weights.check_adapter_used()

    # Masked mean pooling: sum(x * mask) / max(sum(mask), 1e-9), as sentence-transformers does.
    mask_f = g.node("Cast", [ATTENTION_MASK], "pool.Cast", to=TensorProto.FLOAT)
    mask_3d = g.node("Unsqueeze", [mask_f, g.ints(2)], "pool.Unsqueeze")
    summed = g.node(
        "ReduceSum",
        [g.node("Mul", [x, mask_3d], "pool.Mul"), g.ints(1)],
        "pool.ReduceSum",
        keepdims=0,
    )
    count = g.node("ReduceSum", [mask_f, g.ints(1)], "pool.ReduceSum_mask", keepdims=1)
    count = g.node("Max", [count, g.scalar(1e-9)], "pool.Max")
    pooled = g.node("Div", [summed, count], "pool.Div")
    if normalize:
        # torch.nn.functional.normalize: x / max(||x||_2, 1e-12).
        norm = g.node("ReduceL2", [pooled], "norm.ReduceL2", axes=[-1], keepdims=1)
        norm = g.node("Max", [norm, g.scalar(1e-12)], "norm.Max")
        pooled = g.node("Div", [pooled, norm], "norm.Div")
    g.nodes.append(helper.make_node("Identity", [pooled], [OUTPUT], name="output.Identity"))

    graph = helper.make_graph(
        g.nodes,
        "sentence_encoder",
        inputs=[
            helper.make_tensor_value_info(INPUT_IDS, TensorProto.INT64, ["batch", "sequence"]),
            helper.make_tensor_value_info(ATTENTION_MASK, TensorProto.INT64, ["batch", "sequence"]),
        ],
        outputs=[
            helper.make_tensor_value_info(OUTPUT, TensorProto.FLOAT, ["batch", config.hidden_size])
        ],
        initializer=g.initializers,
    )
    opsets = [helper.make_opsetid("", OPSET)]
    if fused:
        opsets.append(helper.make_opsetid(MS_DOMAIN, 1))
    model = helper.make_model(
        graph,
        opset_imports=opsets,
        producer_name="conduct.moderation.onnx_bert",
        producer_version=BUILDER_VERSION,
    )
    # ORT 1.16+ reads IR version 9; pin it so older runtimes load the graph too.
    model.ir_version = 9
    return model


def iter_model_files(model_dir: Path) -> Iterator[Path]:
    """The files whose content determines the graph, for cache keys."""
    yield model_dir / "config.json"
    pooling = model_dir / "1_Pooling" / "config.json"
    if pooling.is_file():
        yield pooling
    yield model_dir / "model.safetensors"
