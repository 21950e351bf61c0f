"""What a GGUF file says about itself: header parsing and the model figures the planner needs.

The parser reads from any binary stream and stops at the end of the header, so the same code serves a
local file and (through a range-reading stream) a remote one: planning never needs the weights.
A GGUF is untrusted input; every count and length read from it is bounded before it is used.
"""

from __future__ import annotations

import math
import re
import struct
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from localinterp.errors import InvalidModelFile
from localinterp.safetext import printable

GGUF_MAGIC = b"GGUF"
DEFAULT_ALIGNMENT = 32

# Bounds on what an honest header holds; beyond them the file is corrupt or hostile.
_MAX_TENSORS = 1_000_000
_MAX_KV = 100_000
_MAX_STRING = 64 * 1024 * 1024
_MAX_ARRAY = 64 * 1024 * 1024
_MAX_DIMS = 4  # GGML_MAX_DIMS
# Arrays up to this length are kept in full (per-layer figures); longer ones (vocabularies) only by length.
_KEEP_ARRAY = 4096


@dataclass(frozen=True)
class GGMLType:
    """A tensor storage type: `type_size` bytes hold `block_size` elements."""

    name: str
    block_size: int
    type_size: int


# ggml's tensor types (ggml.h enum ggml_type), as (block elements, bytes per block).
GGML_TYPES: dict[int, GGMLType] = {
    type_id: GGMLType(name, block, size)
    for type_id, (name, block, size) in {
        0: ("F32", 1, 4),
        1: ("F16", 1, 2),
        2: ("Q4_0", 32, 18),
        3: ("Q4_1", 32, 20),
        6: ("Q5_0", 32, 22),
        7: ("Q5_1", 32, 24),
        8: ("Q8_0", 32, 34),
        9: ("Q8_1", 32, 40),
        10: ("Q2_K", 256, 84),
        11: ("Q3_K", 256, 110),
        12: ("Q4_K", 256, 144),
        13: ("Q5_K", 256, 176),
        14: ("Q6_K", 256, 210),
        15: ("Q8_K", 256, 292),
        16: ("IQ2_XXS", 256, 66),
        17: ("IQ2_XS", 256, 74),
        18: ("IQ3_XXS", 256, 98),
        19: ("IQ1_S", 256, 50),
        20: ("IQ4_NL", 32, 18),
        21: ("IQ3_S", 256, 110),
        22: ("IQ2_S", 256, 82),
        23: ("IQ4_XS", 256, 136),
        24: ("I8", 1, 1),
        25: ("I16", 1, 2),
        26: ("I32", 1, 4),
        27: ("I64", 1, 8),
        28: ("F64", 1, 8),
        29: ("IQ1_M", 256, 56),
        30: ("BF16", 1, 2),
        34: ("TQ1_0", 256, 54),
        35: ("TQ2_0", 256, 66),
        39: ("MXFP4", 32, 17),
        40: ("NVFP4", 64, 36),
        41: ("Q1_0", 128, 18),
    }.items()
}

# llama.cpp's `general.file_type` (enum llama_ftype): what a quantized file calls itself.
FILE_TYPES: dict[int, str] = {
    0: "F32",
    1: "F16",
    2: "Q4_0",
    3: "Q4_1",
    7: "Q8_0",
    8: "Q5_0",
    9: "Q5_1",
    10: "Q2_K",
    11: "Q3_K_S",
    12: "Q3_K_M",
    13: "Q3_K_L",
    14: "Q4_K_S",
    15: "Q4_K_M",
    16: "Q5_K_S",
    17: "Q5_K_M",
    18: "Q6_K",
    19: "IQ2_XXS",
    20: "IQ2_XS",
    21: "Q2_K_S",
    22: "IQ3_XS",
    23: "IQ3_XXS",
    24: "IQ1_S",
    25: "IQ4_NL",
    26: "IQ3_S",
    27: "IQ3_M",
    28: "IQ2_S",
    29: "IQ2_M",
    30: "IQ4_XS",
    31: "IQ1_M",
    32: "BF16",
    36: "TQ1_0",
    37: "TQ2_0",
    38: "MXFP4_MOE",
    39: "NVFP4",
    40: "Q1_0",
}

# Architectures llama.cpp can load (its llama-arch.cpp names). A header naming anything else cannot run.
KNOWN_ARCHITECTURES: frozenset[str] = frozenset(
    [
        "afmoe",
        "apertus",
        "arcee",
        "arctic",
        "arwkv7",
        "baichuan",
        "bailingmoe",
        "bailingmoe2",
        "bert",
        "bitnet",
        "bloom",
        "chameleon",
        "chatglm",
        "codeshell",
        "cogvlm",
        "cohere2",
        "command-r",
        "dbrx",
        "deci",
        "deepseek",
        "deepseek2",
        "deepseek2-ocr",
        "dots1",
        "dream",
        "ernie4_5",
        "ernie4_5-moe",
        "eurobert",
        "exaone",
        "exaone-moe",
        "exaone4",
        "falcon",
        "falcon-h1",
        "gemma",
        "gemma-embedding",
        "gemma2",
        "gemma3",
        "gemma3n",
        "gemma4",
        "glm-dsa",
        "glm4",
        "glm4moe",
        "gpt-oss",
        "gpt2",
        "gptj",
        "gptneox",
        "granite",
        "granitehybrid",
        "granitemoe",
        "grok",
        "grovemoe",
        "hunyuan-dense",
        "hunyuan-moe",
        "hunyuan_vl",
        "internlm2",
        "jais",
        "jais2",
        "jamba",
        "jina-bert-v2",
        "jina-bert-v3",
        "kimi-linear",
        "lfm2",
        "lfm2moe",
        "llada",
        "llada-moe",
        "llama",
        "llama-embed",
        "llama4",
        "maincoder",
        "mamba",
        "mamba2",
        "mimo2",
        "minicpm",
        "minicpm3",
        "minimax-m2",
        "mistral3",
        "mistral4",
        "modern-bert",
        "mpt",
        "nemotron",
        "nemotron_h",
        "nemotron_h_moe",
        "neo-bert",
        "nomic-bert",
        "nomic-bert-moe",
        "olmo",
        "olmo2",
        "olmoe",
        "openelm",
        "orion",
        "paddleocr",
        "pangu-embedded",
        "phi2",
        "phi3",
        "phimoe",
        "plamo",
        "plamo2",
        "plamo3",
        "plm",
        "qwen",
        "qwen2",
        "qwen2moe",
        "qwen2vl",
        "qwen3",
        "qwen35",
        "qwen35moe",
        "qwen3moe",
        "qwen3next",
        "qwen3vl",
        "qwen3vlmoe",
        "refact",
        "rnd1",
        "rwkv6",
        "rwkv6qwen2",
        "rwkv7",
        "seed_oss",
        "smallthinker",
        "smollm3",
        "stablelm",
        "starcoder",
        "starcoder2",
        "step35",
        "t5",
        "t5encoder",
        "xverse",
    ]
)

# Architectures whose layers keep a fixed-size recurrent state instead of a growing KV cache.
RECURRENT_ARCHITECTURES: frozenset[str] = frozenset(
    {"mamba", "mamba2", "rwkv6", "rwkv6qwen2", "rwkv7", "arwkv7"}
)

# Sliding-window attention: of every `period` layers, the last one attends to the whole context and the
# others only to the window (llama.cpp's per-architecture swa pattern). Unlisted architectures are
# treated as full attention everywhere, which can only over-estimate memory.
SWA_PERIODS: dict[str, int] = {"gemma2": 2, "gemma3": 6, "cohere2": 4, "gpt-oss": 2}

_SHARD_RE = re.compile(r"^(?P<stem>.*)-(?P<no>\d{5})-of-(?P<count>\d{5})\.gguf$")


@dataclass(frozen=True)
class TensorInfo:
    """One tensor's entry in the header."""

    name: str
    shape: tuple[int, ...]
    ggml_type: int
    offset: int
    n_bytes: int


@dataclass(frozen=True)
class ArrayInfo:
    """A metadata array too long to keep (a vocabulary): its element type and length."""

    item_type: int
    length: int


@dataclass(frozen=True)
class GGUFHeader:
    """Everything before the tensor data: metadata, tensor table, and where the data starts."""

    version: int
    metadata: Mapping[str, Any]
    tensors: tuple[TensorInfo, ...]
    data_offset: int

    @property
    def data_bytes(self) -> int:
        """Bytes of tensor data the header promises after `data_offset`."""
        return max((t.offset + t.n_bytes for t in self.tensors), default=0)


# GGUF metadata value types (gguf_type).
_UINT8, _INT8, _UINT16, _INT16, _UINT32, _INT32, _FLOAT32, _BOOL, _STRING, _ARRAY = range(10)
_UINT64, _INT64, _FLOAT64 = 10, 11, 12
_SCALARS: dict[int, struct.Struct] = {
    _UINT8: struct.Struct("<B"),
    _INT8: struct.Struct("<b"),
    _UINT16: struct.Struct("<H"),
    _INT16: struct.Struct("<h"),
    _UINT32: struct.Struct("<I"),
    _INT32: struct.Struct("<i"),
    _FLOAT32: struct.Struct("<f"),
    _BOOL: struct.Struct("<?"),
    _UINT64: struct.Struct("<Q"),
    _INT64: struct.Struct("<q"),
    _FLOAT64: struct.Struct("<d"),
}
_U32 = _SCALARS[_UINT32]
_U64 = _SCALARS[_UINT64]


class _Reader:
    """Little-endian reads from a stream, turning a short read into a clear 'truncated' error."""

    def __init__(self, stream: BinaryIO, source: str) -> None:
        self._stream = stream
        self.source = source
        self.pos = 0

    def bytes(self, n: int) -> bytes:
        data = self._stream.read(n)
        if len(data) != n:
            raise InvalidModelFile(
                f"{self.source} is truncated: its GGUF header ends at byte {self.pos + len(data)}. "
                "Download the file again."
            )
        self.pos += n
        return data

    def unpack(self, fmt: struct.Struct) -> Any:
        return fmt.unpack(self.bytes(fmt.size))[0]

    def string(self) -> str:
        n = self.unpack(_U64)
        if n > _MAX_STRING:
            raise self.corrupt(f"a {n}-byte string")
        return self.bytes(n).decode("utf-8", errors="replace")

    def skip_strings(self, count: int) -> None:
        for _ in range(count):
            n = self.unpack(_U64)
            if n > _MAX_STRING:
                raise self.corrupt(f"a {n}-byte string")
            self.bytes(n)

    def corrupt(self, what: str) -> InvalidModelFile:
        return InvalidModelFile(
            f"{self.source} has a corrupt GGUF header ({what} at byte {self.pos}). Download the file again."
        )


def _read_value(r: _Reader, value_type: int) -> Any:
    if value_type in _SCALARS:
        return r.unpack(_SCALARS[value_type])
    if value_type == _STRING:
        return r.string()
    if value_type == _ARRAY:
        item_type = r.unpack(_U32)
        length = r.unpack(_U64)
        if length > _MAX_ARRAY:
            raise r.corrupt(f"an array of {length} items")
        if item_type == _ARRAY:
            raise r.corrupt("a nested array")
        if length > _KEEP_ARRAY:
            if item_type == _STRING:
                r.skip_strings(length)
            elif item_type in _SCALARS:
                r.bytes(length * _SCALARS[item_type].size)
            else:
                raise r.corrupt(f"unknown array item type {item_type}")
            return ArrayInfo(item_type, length)
        return [_read_value(r, item_type) for _ in range(length)]
    raise r.corrupt(f"unknown metadata value type {value_type}")


def tensor_nbytes(shape: Iterable[int], ggml_type: int, *, source: str = "tensor") -> int:
    """Bytes a tensor of this shape and type occupies."""
    kind = GGML_TYPES.get(ggml_type)
    if kind is None:
        raise InvalidModelFile(
            f"{source} uses ggml tensor type {ggml_type}, which this version does not know. "
            "Update localinterp, or use a file with a common quantization."
        )
    shape = tuple(shape)
    elements = math.prod(shape)
    if shape and shape[0] % kind.block_size:
        raise InvalidModelFile(
            f"{source} has a row of {shape[0]} elements, not a multiple of {kind.name} blocks."
        )
    return elements // kind.block_size * kind.type_size


def read_header(stream: BinaryIO, source: str = "<stream>") -> GGUFHeader:
    """Parse a GGUF header from `stream`, positioned at the file's first byte."""
    r = _Reader(stream, source)
    magic = r.bytes(4)
    if magic != GGUF_MAGIC:
        if magic in (b"lmgg", b"fmgg", b"tjgg", b"algg", b"ggml", b"ggmf", b"ggjt", b"ggla"):
            raise InvalidModelFile(
                f"{source} is a legacy GGML model, not GGUF: it cannot be planned, only run through "
                "ctransformers (pip install 'localinterp[legacy]'). Better, use a GGUF version of this model "
                "(llama.cpp's convert_llama_ggml_to_gguf.py makes one)."
            )
        raise InvalidModelFile(f"{source} is not a GGUF model file (it starts with {magic!r}, not b'GGUF').")
    version = r.unpack(_U32)
    if version == 1:
        raise InvalidModelFile(
            f"{source} is GGUF version 1 (2023), which llama.cpp no longer loads. Download a current file."
        )
    if version not in (2, 3):
        raise InvalidModelFile(
            f"{source} is GGUF version {version}; this version of localinterp reads 2 and 3."
        )
    n_tensors = r.unpack(_U64)
    n_kv = r.unpack(_U64)
    if n_tensors > _MAX_TENSORS:
        raise r.corrupt(f"{n_tensors} tensors")
    if n_kv > _MAX_KV:
        raise r.corrupt(f"{n_kv} metadata keys")

    metadata: dict[str, Any] = {}
    for _ in range(n_kv):
        key = r.string()
        metadata[key] = _read_value(r, r.unpack(_U32))

    tensors = []
    for _ in range(n_tensors):
        name = r.string()
        n_dims = r.unpack(_U32)
        if not 1 <= n_dims <= _MAX_DIMS:
            raise r.corrupt(f"tensor {name!r} with {n_dims} dimensions")
        shape = tuple(r.unpack(_U64) for _ in range(n_dims))
        ggml_type = r.unpack(_U32)
        offset = r.unpack(_U64)
        n_bytes = tensor_nbytes(shape, ggml_type, source=f"{source} (tensor {name!r})")
        tensors.append(TensorInfo(name, shape, ggml_type, offset, n_bytes))

    alignment = metadata.get("general.alignment", DEFAULT_ALIGNMENT)
    if not isinstance(alignment, int) or alignment <= 0 or alignment & (alignment - 1):
        raise r.corrupt(f"alignment {alignment!r}")
    data_offset = -(-r.pos // alignment) * alignment
    return GGUFHeader(version, metadata, tuple(tensors), data_offset)


def read_file_header(path: Path) -> GGUFHeader:
    """Read one GGUF file's header and check the file really holds the tensor data it promises."""
    try:
        with path.open("rb") as f:
            header = read_header(f, source=str(path))
            size = path.stat().st_size
    except IsADirectoryError:
        raise InvalidModelFile(f"{path} is a directory, not a GGUF file.") from None
    except PermissionError:
        raise InvalidModelFile(f"{path} cannot be read (permission denied).") from None
    expected = header.data_offset + header.data_bytes
    if size < expected:
        raise InvalidModelFile(
            f"{path} is truncated: its header promises {expected:,} bytes but the file has {size:,}. "
            "Download it again."
        )
    return header


def shard_paths(path: Path) -> list[Path]:
    """All shards of a llama.cpp split model (`name-00001-of-00003.gguf`), or just `path` if not split."""
    m = _SHARD_RE.match(path.name)
    if not m:
        return [path]
    count = int(m["count"])
    paths = [path.with_name(f"{m['stem']}-{i:05d}-of-{count:05d}.gguf") for i in range(1, count + 1)]
    missing = [p.name for p in paths if not p.is_file()]
    if missing:
        raise InvalidModelFile(
            f"{path.name} is part of a {count}-file split model, but {', '.join(missing)} "
            f"{'is' if len(missing) == 1 else 'are'} missing from {path.parent}."
        )
    return paths


@dataclass(frozen=True)
class ModelSpec:
    """The figures of one model (all shards together) that memory planning needs."""

    name: str
    files: tuple[Path, ...]
    file_bytes: int
    architecture: str
    quant: str
    n_layer: int
    n_embd: int
    n_head: int
    n_head_kv: tuple[int, ...]  # per layer; 0 for a layer without attention
    key_length: int
    value_length: int
    n_ff: int
    vocab_size: int
    context_length: int
    layer_bytes: tuple[int, ...]  # weights of each repeating block
    input_bytes: int  # token embeddings and anything else kept on the CPU
    output_bytes: int  # output norm and head: llama.cpp's extra offloadable "layer"
    tied_output_bytes: int = 0  # a head tied to the token embeddings: bytes copied to the GPU with it
    head_bytes: int = 0  # the matrix that produces the logits (the embeddings' when tied)
    n_params: int = 0  # elements in all tensors
    layer_bytes_by_type: Mapping[str, int] = field(default_factory=dict)  # block weights per ggml type
    output_type: str = ""  # ggml type of the output head (the embeddings' when tied)
    expert_count: int = 0
    expert_used_count: int = 0
    expert_bytes: tuple[int, ...] = ()  # of each block's weights, the routed experts' (`*_exps` tensors)
    expert_bytes_by_type: Mapping[str, int] = field(default_factory=dict)  # all blocks' experts per type
    sliding_window: int = 0
    swa_period: int = 0  # see SWA_PERIODS; 0 = no sliding-window layers
    has_chat_template: bool = False

    @property
    def path(self) -> Path:
        """The file to hand llama.cpp (the first shard of a split model)."""
        return self.files[0]

    @property
    def weights_bytes(self) -> int:
        """Bytes of weights in the file(s); a tied output head shares the embeddings' bytes."""
        return sum(self.layer_bytes) + self.input_bytes + self.output_bytes

    @property
    def offloaded_output_bytes(self) -> int:
        """VRAM the output "layer" takes when offloaded (a tied head is copied from the embeddings)."""
        return self.output_bytes + self.tied_output_bytes

    @property
    def is_moe(self) -> bool:
        """A mixture-of-experts model whose routed experts are separate tensors (what llama.cpp's
        --n-cpu-moe can keep in RAM)."""
        return self.expert_count > 0 and any(self.expert_bytes)

    @property
    def bits_per_weight(self) -> float:
        """Average storage per parameter: how hard the file was quantized."""
        return self.weights_bytes * 8 / self.n_params if self.n_params else 0.0

    def offloaded(self, gpu_layers: int) -> tuple[int, bool]:
        """Where llama.cpp's `-ngl gpu_layers` puts this model: the first repeating layer on the GPU, and
        whether the output head is there. The head counts as layer n_layer, the last, so it goes first:
        -ngl 14 of Qwen2.5-1.5B's 28 layers is the head and layers 15-27 (only that matched its CUDA0
        model buffer, 526.56 MiB, on an H100; the planner had put layers 14-27 there without the head)."""
        n = max(0, min(gpu_layers, self.n_layer + 1))
        return (self.n_layer + 1 - n, True) if n else (self.n_layer, False)

    def is_swa_layer(self, layer: int) -> bool:
        """Whether this layer attends only to the sliding window."""
        return (
            self.swa_period > 1
            and self.sliding_window > 0
            and (layer % self.swa_period) < self.swa_period - 1
        )


def _per_layer(value: Any, n_layer: int, key: str, source: str) -> tuple[int, ...]:
    if isinstance(value, list):
        if len(value) != n_layer or not all(isinstance(v, int) and v >= 0 for v in value):
            raise InvalidModelFile(
                f"{source} has an invalid {key} ({len(value)} values for {n_layer} layers)."
            )
        return tuple(value)
    if isinstance(value, int) and value >= 0:
        return (value,) * n_layer
    raise InvalidModelFile(f"{source} has an invalid {key}: {value!r}.")


def _positive_int(meta: Mapping[str, Any], key: str, source: str, default: int | None = None) -> int:
    value = meta.get(key, default)
    if isinstance(value, list) and value and all(isinstance(v, int) for v in value):
        value = max(value)  # per-layer figure: the planner needs the largest
    if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
        if key not in meta:
            raise InvalidModelFile(
                f"{source} lacks the metadata key {key!r}; it cannot be planned or loaded."
            )
        raise InvalidModelFile(f"{source} has an invalid {key}: {value!r}.")
    return value


def _quant_name(meta: Mapping[str, Any], tensors: Iterable[TensorInfo]) -> str:
    file_type = meta.get("general.file_type")
    if isinstance(file_type, int) and file_type in FILE_TYPES:
        return FILE_TYPES[file_type]
    # No (known) file type: name the file after the type holding most of its bytes.
    totals: dict[int, int] = {}
    for t in tensors:
        if len(t.shape) >= 2:
            totals[t.ggml_type] = totals.get(t.ggml_type, 0) + t.n_bytes
    if not totals:
        return "unknown"
    return GGML_TYPES[max(totals, key=totals.__getitem__)].name


_BLOCK_RE = re.compile(r"^blk\.(\d+)\.")
# A block's routed experts, as llama.cpp's --n-cpu-moe names them (`chexps`: experts stored in chunks).
EXPERT_TENSORS = r"\.ffn_(up|down|gate|gate_up)_(ch|)exps"
_EXPERTS_RE = re.compile(EXPERT_TENSORS)
_OUTPUT_TENSORS = ("output.weight", "output.bias", "output_norm.weight", "output_norm.bias")


MAX_TRAINED_CONTEXT = 2**31 - 1


def _count(meta: dict[str, Any], key: str, source: str) -> int:
    """An optional count (0 when absent); a value of the wrong type is the file's fault, said so."""
    value = meta.get(key, 0)
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise InvalidModelFile(f"{source} has an invalid '{key}' ({type(value).__name__} {value!r:.40}).")
    return value


def spec_from_headers(headers: list[GGUFHeader], files: tuple[Path, ...], file_bytes: int) -> ModelSpec:
    """Build a ModelSpec from the headers of a model's shards (metadata comes from the first)."""
    source = str(files[0]) if files else "<model>"
    meta = headers[0].metadata
    arch = meta.get("general.architecture")
    if not isinstance(arch, str) or not arch:
        raise InvalidModelFile(f"{source} does not say which architecture it is (no general.architecture).")
    if arch not in KNOWN_ARCHITECTURES:
        raise InvalidModelFile(
            f"{source} is a {arch!r} model, an architecture llama.cpp does not know. "
            "Pick a model of a supported architecture (llama, qwen2, mistral3, gemma3, phi3, falcon, ...)."
        )
    split_count = meta.get("split.count")
    if isinstance(split_count, int) and split_count > 1 and split_count != len(headers):
        raise InvalidModelFile(f"{source} is shard 1 of {split_count}; open it by its first shard's name.")

    tensors = [t for h in headers for t in h.tensors]
    n_layer = _positive_int(meta, f"{arch}.block_count", source)
    n_embd = _positive_int(meta, f"{arch}.embedding_length", source)
    recurrent = arch in RECURRENT_ARCHITECTURES
    head_count = meta.get(f"{arch}.attention.head_count", 0 if recurrent else None)
    if head_count is None:
        raise InvalidModelFile(f"{source} lacks the metadata key '{arch}.attention.head_count'.")
    heads = _per_layer(head_count, n_layer, "head_count", source)
    n_head = max(heads)
    if n_head <= 0 and not recurrent:  # llama.cpp divides the embedding by it: such a file cannot load
        raise InvalidModelFile(f"{source} says its attention has {n_head} heads; llama.cpp cannot load it.")
    kv_value = meta.get(f"{arch}.attention.head_count_kv", list(heads))
    n_head_kv = _per_layer(kv_value, n_layer, "head_count_kv", source)
    head_dim = n_embd // n_head if n_head else 0
    key_length = meta.get(f"{arch}.attention.key_length", head_dim)
    value_length = meta.get(f"{arch}.attention.value_length", head_dim)
    if (
        not isinstance(key_length, int)
        or not isinstance(value_length, int)
        or key_length < 0
        or value_length < 0
    ):
        raise InvalidModelFile(f"{source} has invalid attention key/value lengths.")

    layer_bytes = [0] * n_layer
    expert_bytes = [0] * n_layer
    by_type: dict[str, int] = {}
    expert_by_type: dict[str, int] = {}
    input_bytes = output_bytes = 0
    head: TensorInfo | None = None
    embeddings: TensorInfo | None = None
    for t in tensors:
        m = _BLOCK_RE.match(t.name)
        if m:
            index = int(m.group(1))
            if index >= n_layer:
                raise InvalidModelFile(f"{source} has tensor {t.name} but only {n_layer} layers.")
            layer_bytes[index] += t.n_bytes
            type_name = GGML_TYPES[t.ggml_type].name
            by_type[type_name] = by_type.get(type_name, 0) + t.n_bytes
            if _EXPERTS_RE.search(t.name):  # routed experts: ffn_gate_exps, ffn_up_exps, ffn_down_exps
                expert_bytes[index] += t.n_bytes
                expert_by_type[type_name] = expert_by_type.get(type_name, 0) + t.n_bytes
        elif t.name in _OUTPUT_TENSORS:
            output_bytes += t.n_bytes
            head = t if t.name == "output.weight" else head
        else:
            input_bytes += t.n_bytes
            embeddings = t if t.name == "token_embd.weight" else embeddings
    # Without its own head the model reuses the token embeddings, and offloading the output "layer"
    # puts a copy of them on the GPU.
    tied_output_bytes = embeddings.n_bytes if head is None and embeddings is not None else 0
    head = head or embeddings

    vocab = meta.get("tokenizer.ggml.tokens")
    if isinstance(vocab, ArrayInfo):
        vocab_size = vocab.length
    elif isinstance(vocab, list):
        vocab_size = len(vocab)
    else:
        vocab_size = meta.get(f"{arch}.vocab_size", 0)
    if not isinstance(vocab_size, int) or vocab_size <= 0:
        vocab_size = embeddings.shape[-1] if embeddings else 0

    context = meta.get(f"{arch}.context_length", 0)
    if not isinstance(context, int) or context <= 0:
        raise InvalidModelFile(f"{source} lacks a valid '{arch}.context_length'.")
    if context > MAX_TRAINED_CONTEXT:  # llama.cpp keeps it in 32 bits and refuses the file
        raise InvalidModelFile(
            f"{source} claims a context length of {context:,} tokens, more than llama.cpp can represent; "
            "the file's metadata is corrupt."
        )
    n_ff = meta.get(f"{arch}.feed_forward_length", 0)
    n_ff = max(n_ff) if isinstance(n_ff, list) and n_ff else n_ff
    window = meta.get(f"{arch}.attention.sliding_window", 0)
    name = meta.get("general.name")
    name = printable(name, newlines=False).strip() if isinstance(name, str) else ""  # shown in terminals
    return ModelSpec(
        name=name or (files[0].stem if files else "model"),
        files=files,
        file_bytes=file_bytes,
        architecture=arch,
        quant=_quant_name(meta, tensors),
        n_layer=n_layer,
        n_embd=n_embd,
        n_head=n_head,
        n_head_kv=n_head_kv,
        key_length=key_length,
        value_length=value_length,
        n_ff=n_ff if isinstance(n_ff, int) else 0,
        vocab_size=vocab_size,
        context_length=context,
        layer_bytes=tuple(layer_bytes),
        input_bytes=input_bytes,
        output_bytes=output_bytes,
        tied_output_bytes=tied_output_bytes,
        head_bytes=head.n_bytes if head else 0,
        n_params=sum(math.prod(t.shape) for t in tensors),
        layer_bytes_by_type=by_type,
        output_type=GGML_TYPES[head.ggml_type].name if head else "",
        expert_count=_count(meta, f"{arch}.expert_count", source),
        expert_used_count=_count(meta, f"{arch}.expert_used_count", source),
        expert_bytes=tuple(expert_bytes),
        expert_bytes_by_type=expert_by_type,
        sliding_window=window if isinstance(window, int) and window > 0 else 0,
        swa_period=SWA_PERIODS.get(arch, 0),
        has_chat_template=isinstance(meta.get("tokenizer.chat_template"), str),
    )


def read_model_spec(path: Path) -> ModelSpec:
    """Read a local GGUF model (all shards of a split one) into a ModelSpec."""
    if not path.exists():
        raise InvalidModelFile(f"{path} does not exist.")
    files = tuple(shard_paths(path))
    headers = [read_file_header(p) for p in files]
    return spec_from_headers(headers, files, sum(p.stat().st_size for p in files))


def read_parts_spec(parts: list[Path], joined_name: str) -> ModelSpec:
    """The spec of a model byte-split into parts (`.gguf-split-a`, ...): the header is in the first part."""
    with parts[0].open("rb") as f:
        header = read_header(f, source=str(parts[0]))
    total = sum(p.stat().st_size for p in parts)
    expected = header.data_offset + header.data_bytes
    if total < expected:
        raise InvalidModelFile(
            f"the parts of {joined_name} hold {total:,} bytes but its header promises {expected:,}; "
            "a part is missing or truncated."
        )
    return spec_from_headers([header], (parts[0].with_name(joined_name),), total)
