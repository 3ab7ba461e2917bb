"""The encoder's low-rank adapter: trained by `moderation.finetune`, merged at load time.

For each adapted linear layer the file holds ``A`` (rank x in) and ``B`` (out x rank); the
layer's weight becomes ``W + scale * B @ A``. Merging happens before the ONNX graph is
built (``onnx_bert.build_sentence_encoder``), so the adapted encoder runs exactly as fast
as the packaged one. No torch here: this is read by the bot at run time.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

ADAPTER_FILE = "encoder_adapter.npz"
ADAPTER_PATH = Path(__file__).parent / "heads" / ADAPTER_FILE

# The linear layers of one BERT layer that the adapter changes (attribute paths inside
# ``encoder.layer.N``, the same names as the safetensors keys without ``.weight``).
ADAPTED_MODULES = (
    "attention.self.query",
    "attention.self.key",
    "attention.self.value",
    "attention.output.dense",
    "intermediate.dense",
    "output.dense",
)


@dataclass(frozen=True)
class Adapter:
    factors: dict[str, tuple[NDArray[np.float32], NDArray[np.float32]]]
    scale: float
    meta: dict[str, Any] = field(default_factory=dict)

    def delta(self, weight_name: str) -> NDArray[np.float32] | None:
        """The change to the named weight (``encoder.layer.0.intermediate.dense.weight``)."""
        module = weight_name.removesuffix(".weight")
        if module == weight_name or module not in self.factors:
            return None
        a, b = self.factors[module]
        return (b @ a * np.float32(self.scale)).astype(np.float32)

    @property
    def digest(self) -> str:
        """Changes whenever the adapted weights would: keys graph and embedding caches."""
        h = hashlib.sha256(f"{self.scale!r}".encode())
        for name in sorted(self.factors):
            a, b = self.factors[name]
            h.update(name.encode())
            h.update(np.ascontiguousarray(a).tobytes())
            h.update(np.ascontiguousarray(b).tobytes())
        return h.hexdigest()[:16]

    def save(self, path: Path) -> None:
        arrays: dict[str, NDArray[Any]] = {}
        for name, (a, b) in self.factors.items():
            arrays[f"{name}|A"] = a
            arrays[f"{name}|B"] = b
        header = {"scale": self.scale, "meta": self.meta}
        arrays["header"] = np.frombuffer(json.dumps(header, sort_keys=True).encode(), np.uint8)
        buffer = io.BytesIO()
        np.savez_compressed(buffer, **arrays)  # type: ignore[arg-type]  # numpy's stub types **kwds as allow_pickle
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_bytes(buffer.getvalue())
        os.replace(tmp, path)

    @classmethod
    def load(cls, path: Path) -> Adapter:
        with np.load(path, allow_pickle=False) as data:
            header = json.loads(bytes(data["header"]).decode())
            factors: dict[str, tuple[NDArray[np.float32], NDArray[np.float32]]] = {}
            for key in data.files:
                if key.endswith("|A"):
                    name = key.removesuffix("|A")
                    a = np.asarray(data[key], dtype=np.float32)
                    b = np.asarray(data[f"{name}|B"], dtype=np.float32)
                    if b.shape[1] != a.shape[0]:
                        raise ValueError(f"{path}: {name} has mismatched ranks")
                    factors[name] = (a, b)
        return cls(factors, scale=float(header["scale"]), meta=dict(header.get("meta", {})))


def adapter_in(heads_dir: Path) -> Adapter | None:
    """The adapter trained with the heads in ``heads_dir``, or None (the packaged encoder)."""
    path = heads_dir / ADAPTER_FILE
    return Adapter.load(path) if path.is_file() else None
