"""How sizes are written for people: one formatter for every layer's messages."""

from __future__ import annotations


def fmt_bytes(n: int | None) -> str:
    """Bytes in binary units (GiB/MiB), the way nvidia-smi and llama.cpp's logs show memory."""
    if n is None:
        return "?"
    for unit, size in (("GiB", 1024**3), ("MiB", 1024**2), ("KiB", 1024)):
        if abs(n) >= size:
            return f"{n / size:,.1f} {unit}"
    return f"{n} B"
