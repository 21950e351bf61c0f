"""Write a tiny legacy GGML (ggjt v3) llama model, the format ctransformers and pre-GGUF llama.cpp read."""

from __future__ import annotations

import struct
from pathlib import Path

import numpy as np


def write_ggjt_llama(
    path: Path, *, n_vocab: int = 64, n_embd: int = 64, n_head: int = 4, n_layer: int = 1
) -> Path:
    """Random f32 weights: it loads and generates (nonsense), which is what a loader test needs."""
    n_mult = 32
    n_ff = ((2 * (4 * n_embd) // 3 + n_mult - 1) // n_mult) * n_mult
    rng = np.random.default_rng(0)
    with path.open("wb") as f:
        f.write(struct.pack("<I", 0x67676A74))  # 'ggjt'
        f.write(struct.pack("<i", 3))
        f.write(
            struct.pack("<7i", n_vocab, n_embd, n_mult, n_head, n_layer, n_embd // n_head, 0)
        )  # ftype f32
        for i in range(n_vocab):
            piece = b" " + bytes([97 + i % 26]) if i > 2 else [b"<unk>", b"<s>", b"</s>"][i]
            f.write(struct.pack("<i", len(piece)) + piece + struct.pack("<f", 0.0))

        def tensor(name: str, shape: tuple[int, ...]) -> None:
            data = (rng.standard_normal(int(np.prod(shape))) * 0.02).astype("<f4")
            raw = name.encode()
            f.write(struct.pack("<3i", len(shape), len(raw), 0))
            f.write(struct.pack(f"<{len(shape)}i", *shape))
            f.write(raw)
            f.seek((f.tell() + 31) // 32 * 32)  # ggjt aligns tensor data to 32 bytes
            f.write(data.tobytes())

        tensor("tok_embeddings.weight", (n_embd, n_vocab))
        tensor("norm.weight", (n_embd,))
        tensor("output.weight", (n_embd, n_vocab))
        for i in range(n_layer):
            p = f"layers.{i}."
            for w in ("wq", "wk", "wv", "wo"):
                tensor(p + f"attention.{w}.weight", (n_embd, n_embd))
            tensor(p + "attention_norm.weight", (n_embd,))
            tensor(p + "ffn_norm.weight", (n_embd,))
            tensor(p + "feed_forward.w1.weight", (n_embd, n_ff))
            tensor(p + "feed_forward.w2.weight", (n_ff, n_embd))
            tensor(p + "feed_forward.w3.weight", (n_embd, n_ff))
    return path


def write_ggml_gpt2(
    path: Path, *, n_vocab: int = 64, n_ctx: int = 128, n_embd: int = 64, n_head: int = 4, n_layer: int = 1
) -> Path:
    """A tiny GPT-2 in ggml's original example format (unversioned 'ggml' magic), random f32 weights."""
    rng = np.random.default_rng(0)
    with path.open("wb") as f:
        f.write(struct.pack("<I", 0x67676D6C))  # 'ggml'
        f.write(struct.pack("<6i", n_vocab, n_ctx, n_embd, n_head, n_layer, 0))  # ftype f32
        f.write(struct.pack("<i", n_vocab))
        for i in range(n_vocab):
            piece = b" " if i == 0 else bytes([97 + i % 26]) * (1 + i // 26)
            f.write(struct.pack("<i", len(piece)) + piece)

        def tensor(name: str, shape: tuple[int, ...], scale: float = 0.02) -> None:
            data = (rng.standard_normal(int(np.prod(shape))) * scale).astype("<f4")
            raw = name.encode()
            f.write(struct.pack("<3i", len(shape), len(raw), 0))
            f.write(struct.pack(f"<{len(shape)}i", *shape))
            f.write(raw)
            f.write(data.tobytes())

        tensor("model/ln_f/g", (n_embd,))
        tensor("model/ln_f/b", (n_embd,))
        tensor("model/wte", (n_embd, n_vocab))
        tensor("model/wpe", (n_embd, n_ctx))
        tensor("model/lm_head", (n_embd, n_vocab))
        for i in range(n_layer):
            p = f"model/h{i}/"
            tensor(p + "ln_1/g", (n_embd,))
            tensor(p + "ln_1/b", (n_embd,))
            tensor(p + "attn/c_attn/w", (n_embd, 3 * n_embd))
            tensor(p + "attn/c_attn/b", (3 * n_embd,))
            tensor(p + "attn/c_proj/w", (n_embd, n_embd))
            tensor(p + "attn/c_proj/b", (n_embd,))
            tensor(p + "ln_2/g", (n_embd,))
            tensor(p + "ln_2/b", (n_embd,))
            tensor(p + "mlp/c_fc/w", (n_embd, 4 * n_embd))
            tensor(p + "mlp/c_fc/b", (4 * n_embd,))
            tensor(p + "mlp/c_proj/w", (4 * n_embd, n_embd))
            tensor(p + "mlp/c_proj/b", (n_embd,))
    return path
