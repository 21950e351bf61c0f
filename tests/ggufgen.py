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
            w.add_uint32(full, value)
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
    if data or sparse:
        with path.open("r+b") as f:
            f.seek(0, 2)
            end = f.tell()
            align = 32
            data_start = -(-end // align) * align
            total = data_start
            for _name, shape, qtype in tensors:
                total = -(-total // align) * align + tensor_bytes(shape, qtype)
            if data:
                f.write(b"\0" * (total - end))
            else:
                f.truncate(total)
    w.close()
    return path


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
