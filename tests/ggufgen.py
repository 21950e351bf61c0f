"""Write GGUF files for tests with llama.cpp's own `gguf` package (so our reader is checked against it).

`data=False` writes the header alone (what a remote range read sees); `sparse=True` then extends the file
to its full size without using disk, so a 100 GB model can be planned on a laptop.
"""

from __future__ import annotations

from pathlib import Path

import gguf
import numpy as np
from gguf.constants import GGML_QUANT_SIZES, GGMLQuantizationType


def tensor_bytes(shape: tuple[int, ...], qtype: GGMLQuantizationType) -> int:
    block, size = GGML_QUANT_SIZES[qtype]
    n = 1
    for d in shape:
        n *= d
    return n // block * size


def write_gguf(
    path: Path,
    arch: str,
    meta: dict,
    tensors: list[tuple[str, tuple[int, ...], GGMLQuantizationType]],
    *,
    data: bool = True,
    sparse: bool = False,
    vocab: int | None = None,
) -> Path:
    """Write a GGUF with `meta` (keys without the arch prefix get it) and the given tensor table."""
    w = gguf.GGUFWriter(str(path), arch)
    for key, value in meta.items():
        full = key if key.startswith(("general.", "tokenizer.", "split.")) else f"{arch}.{key}"
        if isinstance(value, bool):
            w.add_bool(full, value)
        elif isinstance(value, int):
            (w.add_uint64 if value >= 2**32 else w.add_uint32)(full, value)
        elif isinstance(value, float):
            w.add_float32(full, value)
        elif isinstance(value, str):
            w.add_string(full, value)
        elif isinstance(value, list):
            w.add_array(full, value)
    if vocab:
        w.add_token_list([f"t{i}" for i in range(vocab)])
    for name, shape, qtype in tensors:
        # gguf takes shapes outermost-first (the reverse of the file's ne[] order), the innermost in bytes.
        block, size = GGML_QUANT_SIZES[qtype]
        byte_shape = (*reversed(shape[1:]), shape[0] // block * size)
        w.add_tensor_info(name, byte_shape, np.dtype(np.uint8), tensor_bytes(shape, qtype), raw_dtype=qtype)
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_ti_data_to_file()
    w.close()
    if data or sparse:
        _append_data(path, [(shape, qtype) for _name, shape, qtype in tensors], zeros=data)
    return path


def _append_data(
    path: Path, tensors: list[tuple[tuple[int, ...], GGMLQuantizationType]], *, zeros: bool
) -> None:
    """Give a GGUF written up to its tensor table the data section its table describes: zeros, or a
    hole of that size (the file is then as long as the real one, for planning tests, and takes no disk)."""
    with path.open("r+b") as f:
        f.seek(0, 2)
        end = f.tell()
        align = 32
        total = -(-end // align) * align
        for shape, qtype in tensors:
            total = -(-total // align) * align + tensor_bytes(shape, qtype)
        if zeros:
            f.write(b"\0" * (total - end))
        else:
            f.truncate(total)


def llama_tensors(
    n_layer: int,
    n_embd: int,
    n_ff: int,
    n_head: int,
    n_head_kv: int,
    vocab: int,
    qtype: GGMLQuantizationType,
    *,
    head_dim: int | None = None,
    tied: bool = False,
    experts: int = 0,
    gated: bool = True,
) -> list:
    """The tensor table of a llama-shaped model (ne order: [in, out])."""
    head_dim = head_dim or n_embd // n_head
    f32 = GGMLQuantizationType.F32
    t = [("token_embd.weight", (n_embd, vocab), qtype), ("output_norm.weight", (n_embd,), f32)]
    if not tied:
        t.append(("output.weight", (n_embd, vocab), qtype))
    for i in range(n_layer):
        p = f"blk.{i}."
        t += [
            (p + "attn_norm.weight", (n_embd,), f32),
            (p + "attn_q.weight", (n_embd, n_head * head_dim), qtype),
            (p + "attn_k.weight", (n_embd, n_head_kv * head_dim), qtype),
            (p + "attn_v.weight", (n_embd, n_head_kv * head_dim), qtype),
            (p + "attn_output.weight", (n_head * head_dim, n_embd), qtype),
            (p + "ffn_norm.weight", (n_embd,), f32),
        ]
        if experts:
            t += [
                (p + "ffn_gate_inp.weight", (n_embd, experts), f32),
                (p + "ffn_gate_exps.weight", (n_embd, n_ff, experts), qtype),
                (p + "ffn_up_exps.weight", (n_embd, n_ff, experts), qtype),
                (p + "ffn_down_exps.weight", (n_ff, n_embd, experts), qtype),
            ]
        else:
            t += [(p + "ffn_gate.weight", (n_embd, n_ff), qtype)] if gated else []
            t += [
                (p + "ffn_up.weight", (n_embd, n_ff), qtype),
                (p + "ffn_down.weight", (n_ff, n_embd), qtype),
            ]
    return t


def tiny_llama(
    path: Path,
    *,
    n_layer: int = 2,
    arch: str = "llama",
    data: bool = True,
    extra: dict | None = None,
    context: int = 2048,
) -> Path:
    """A small, well-formed llama GGUF (zeros for weights: it plans, it does not generate)."""
    meta = {
        "block_count": n_layer,
        "context_length": context,
        "embedding_length": 64,
        "feed_forward_length": 128,
        "attention.head_count": 4,
        "attention.head_count_kv": 2,
        "general.file_type": 7,
        "general.name": "tiny",
    } | (extra or {})
    tensors = llama_tensors(n_layer, 64, 128, 4, 2, 256, GGMLQuantizationType.Q8_0)
    return write_gguf(path, arch, meta, tensors, data=data, vocab=256)


# general.file_type values (llama.cpp's LLAMA_FTYPE) and the tensor type each quant mostly uses.
FTYPES = {
    "Q8_0": (7, GGMLQuantizationType.Q8_0),
    "Q4_K_M": (15, GGMLQuantizationType.Q4_K),
    "Q5_K_M": (17, GGMLQuantizationType.Q5_K),
    "Q6_K": (18, GGMLQuantizationType.Q6_K),
    "Q3_K_M": (12, GGMLQuantizationType.Q3_K),
    "Q2_K": (10, GGMLQuantizationType.Q2_K),
    "Q4_0": (2, GGMLQuantizationType.Q4_0),
}


def small_llama(
    path: Path,
    quant: str = "Q8_0",
    *,
    n_layer: int = 4,
    n_embd: int = 256,
    vocab: int = 512,
    name: str = "small",
    extra: dict | None = None,
) -> Path:
    """A well-formed llama GGUF of a given quant, a few hundred KB to a few MB (zeros for weights);
    `extra` overrides or adds metadata, to craft a hostile file."""
    ftype, qtype = FTYPES[quant]
    meta = {
        "block_count": n_layer,
        "context_length": 4096,
        "embedding_length": n_embd,
        "feed_forward_length": n_embd * 2,
        "attention.head_count": 4,
        "attention.head_count_kv": 2,
        "general.file_type": ftype,
        "general.name": name,
    } | (extra or {})
    tensors = llama_tensors(n_layer, n_embd, n_embd * 2, 4, 2, vocab, qtype)
    return write_gguf(path, "llama", meta, tensors, vocab=vocab)


def falcon_180b(path: Path, quant: str = "Q4_K_M", *, split: dict | None = None, tensors=None) -> Path:
    """A header with Falcon-180B's real figures (80 layers, 14848 wide, 65024 tokens) and a sparse body:
    it plans as the real 100 GB model while using a few MB of disk."""
    ftype, qtype = FTYPES[quant]
    meta = {
        "block_count": 80,
        "context_length": 2048,
        "embedding_length": 14848,
        "feed_forward_length": 59392,
        "attention.head_count": 232,
        "attention.head_count_kv": 8,
        "attention.layer_norm_epsilon": 1e-5,
        "general.file_type": ftype,
        "general.name": "Falcon-180B",
    } | (split or {})
    return write_gguf(
        path,
        "falcon",
        meta,
        tensors if tensors is not None else falcon_tensors(qtype),
        data=False,
        sparse=True,
        vocab=65024,
    )


def falcon_tensors(
    qtype: GGMLQuantizationType, layers: range = range(80), *, embeddings: bool = True
) -> list:
    n_embd, n_ff, vocab, head_dim = 14848, 59392, 65024, 64
    f32 = GGMLQuantizationType.F32
    t = []
    if embeddings:
        t += [
            ("token_embd.weight", (n_embd, vocab), qtype),
            ("output_norm.weight", (n_embd,), f32),
            ("output_norm.bias", (n_embd,), f32),
            ("output.weight", (n_embd, vocab), qtype),
        ]
    for i in layers:
        p = f"blk.{i}."
        t += [
            (p + "attn_norm.weight", (n_embd,), f32),
            (p + "attn_norm.bias", (n_embd,), f32),
            (p + "attn_qkv.weight", (n_embd, (232 + 2 * 8) * head_dim), qtype),
            (p + "attn_output.weight", (n_embd, n_embd), qtype),
            (p + "ffn_up.weight", (n_embd, n_ff), qtype),
            (p + "ffn_down.weight", (n_ff, n_embd), qtype),
        ]
    return t


def byte_split(path: Path, parts: int, name=lambda base, i: f"{base}-split-{chr(97 + i)}") -> list[Path]:
    """Split a file into byte parts the old way (`.gguf-split-a`, ...); holes stay holes (SEEK_DATA)."""
    import os

    size = path.stat().st_size
    step = -(-size // parts)
    out = []
    fd = os.open(path, os.O_RDONLY)
    try:
        for i in range(parts):
            part = path.with_name(name(path.name, i))
            start, end = i * step, min(size, (i + 1) * step)
            with part.open("wb") as dst:
                pos = start
                while pos < end:
                    try:
                        data = os.lseek(fd, pos, os.SEEK_DATA)
                    except OSError:  # no data after pos
                        break
                    if data >= end:
                        break
                    hole = min(os.lseek(fd, data, os.SEEK_HOLE), end)
                    dst.seek(data - start)
                    dst.write(os.pread(fd, hole - data, data))
                    pos = hole
                dst.truncate(end - start)
            out.append(part)
    finally:
        os.close(fd)
    return out


def _byte_level_tokens() -> list[str]:
    """GPT-2's byte-level alphabet: one token per byte, so any text tokenizes without merges."""
    printable = [
        *range(ord("!"), ord("~") + 1),
        *range(ord("¡"), ord("¬") + 1),
        *range(ord("®"), ord("ÿ") + 1),
    ]
    mapping, extra = {b: b for b in printable}, 0
    for b in range(256):
        if b not in mapping:
            mapping[b], extra = 256 + extra, extra + 1
    return [chr(mapping[b]) for b in range(256)]


def random_moe(
    path: Path,
    *,
    n_layer: int = 4,
    n_embd: int = 128,
    n_head: int = 4,
    n_head_kv: int = 2,
    n_ff_exp: int = 64,
    experts: int = 8,
    used: int = 2,
    expert_type: GGMLQuantizationType = GGMLQuantizationType.Q8_0,
    seed: int = 0,
    weights: bool = True,
) -> Path:
    """A qwen3moe GGUF with random weights that real llama.cpp loads and runs (a byte-level tokenizer of
    256 tokens and an end token): a few hundred KB, for tests of mixture-of-experts loading. Without
    `weights`, only the header and tensor table, the data a hole: a file of the real size to plan, at once."""
    from gguf import quants

    rng = np.random.default_rng(seed)
    head_dim = n_embd // n_head
    w = gguf.GGUFWriter(str(path), "qwen3moe")
    w.add_name("random-moe")
    w.add_block_count(n_layer)
    w.add_context_length(1024)
    w.add_embedding_length(n_embd)
    w.add_feed_forward_length(n_ff_exp * 2)
    w.add_expert_feed_forward_length(n_ff_exp)
    w.add_head_count(n_head)
    w.add_head_count_kv(n_head_kv)
    w.add_key_length(head_dim)
    w.add_value_length(head_dim)
    w.add_rope_freq_base(10000.0)
    w.add_layer_norm_rms_eps(1e-6)
    w.add_expert_count(experts)
    w.add_expert_used_count(used)
    w.add_file_type(7)
    tokens = [*_byte_level_tokens(), "<|end|>"]
    w.add_tokenizer_model("gpt2")
    w.add_tokenizer_pre("default")
    w.add_token_list(tokens)
    w.add_token_types([1] * 256 + [3])
    w.add_token_merges([tokens[ord("a")] + " " + tokens[ord("b")]])
    w.add_eos_token_id(256)
    w.add_bos_token_id(256)
    f32, q8 = GGMLQuantizationType.F32, GGMLQuantizationType.Q8_0

    table: list[tuple[tuple[int, ...], GGMLQuantizationType]] = []

    def tensor(name: str, shape: tuple[int, ...], qtype: GGMLQuantizationType = q8) -> None:
        if not weights:
            block, size = GGML_QUANT_SIZES[qtype]
            byte_shape = (*reversed(shape[1:]), shape[0] // block * size)
            w.add_tensor_info(
                name, byte_shape, np.dtype(np.uint8), tensor_bytes(shape, qtype), raw_dtype=qtype
            )
            table.append((shape, qtype))
            return
        values = (rng.standard_normal(tuple(reversed(shape))) * 0.05).astype(
            np.float32
        )  # numpy: outermost first
        if qtype == f32:
            w.add_tensor(name, values)
        else:
            w.add_tensor(name, quants.quantize(values, qtype), raw_dtype=qtype)

    tensor("token_embd.weight", (n_embd, len(tokens)))
    tensor("output_norm.weight", (n_embd,), f32)
    tensor("output.weight", (n_embd, len(tokens)))
    for i in range(n_layer):
        p = f"blk.{i}."
        for name, shape, qtype in (
            ("attn_norm", (n_embd,), f32), ("attn_q", (n_embd, n_head * head_dim), q8),
            ("attn_k", (n_embd, n_head_kv * head_dim), q8), ("attn_v", (n_embd, n_head_kv * head_dim), q8),
            ("attn_output", (n_head * head_dim, n_embd), q8), ("attn_q_norm", (head_dim,), f32),
            ("attn_k_norm", (head_dim,), f32), ("ffn_norm", (n_embd,), f32), ("ffn_gate_inp", (n_embd, experts), f32),
            ("ffn_gate_exps", (n_embd, n_ff_exp, experts), expert_type),
            ("ffn_up_exps", (n_embd, n_ff_exp, experts), expert_type),
            ("ffn_down_exps", (n_ff_exp, n_embd, experts), expert_type),
        ):  # fmt: skip
            tensor(f"{p}{name}.weight", shape, qtype)
    w.write_header_to_file()
    w.write_kv_data_to_file()
    if weights:
        w.write_tensors_to_file()
        w.close()
    else:
        w.write_ti_data_to_file()
        w.close()
        _append_data(path, table, zeros=False)
    return path
