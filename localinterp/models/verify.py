"""Checksums: what makes a downloaded or copied model file trusted.

A check is remembered in localinterp's cache (not beside the file, so the Hugging Face cache and the user's
folders stay untouched) for the file's exact path, inode, size, mtime and ctime: a 100 GB model is hashed
once, and any change to the file makes it be hashed again. The ctime is what makes this hold against a
file rewritten with its mtime put back (`touch -d`): no program can set a ctime, the kernel does on every
write, chmod or rename. The cost is a fresh hash after such harmless changes too.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable
from pathlib import Path

from localinterp.fsutil import atomic_write

CHUNK = 1024 * 1024


def sha256_file(path: Path, on_bytes: Callable[[int], None] | None = None) -> str:
    """Hex sha256 of a file, read in chunks; `on_bytes` hears how many bytes each chunk had."""
    h = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(CHUNK):
            h.update(chunk)
            if on_bytes:
                on_bytes(len(chunk))
    return h.hexdigest()


def copy_hashing(sources: list[Path], dest: Path, on_bytes: Callable[[int], None] | None = None) -> str:
    """Write `sources` one after the other into `dest` (flushed to disk), hashing as they go; returns the
    sha256. Callers write to a temporary name and rename only after checking the hash."""
    digest = hashlib.sha256()
    with dest.open("wb") as out:
        for source in sources:
            with source.open("rb") as src:
                while chunk := src.read(CHUNK):
                    out.write(chunk)
                    digest.update(chunk)
                    if on_bytes:
                        on_bytes(len(chunk))
        out.flush()
        os.fsync(out.fileno())
    return digest.hexdigest()


def _marker(path: Path) -> Path:
    from localinterp.settings import cache_dir

    key = hashlib.sha256(os.fsencode(path.resolve())).hexdigest()[:32]
    return cache_dir() / "verified" / f"{key}.json"


def _stamp(path: Path, sha256: str) -> dict[str, object]:
    st = path.stat()
    return {
        "path": str(path.resolve()),
        "sha256": sha256,
        "size": st.st_size,
        "mtime_ns": st.st_mtime_ns,
        "ctime_ns": st.st_ctime_ns,
        "inode": st.st_ino,
    }


def remember_verified(path: Path, sha256: str) -> None:
    """Record that `path`, as it is now, has this sha256 (after hashing it while writing it)."""
    atomic_write(_marker(path), json.dumps(_stamp(path, sha256)))


def forget_verified(path: Path) -> None:
    """Drop the record for `path` (before replacing or deleting the file)."""
    _marker(path).unlink(missing_ok=True)


def was_verified(path: Path, sha256: str) -> bool:
    """Whether a check of `path` as it is now (size, mtime, ctime, inode) is on record."""
    try:
        return json.loads(_marker(path).read_text()) == _stamp(path, sha256)
    except (OSError, ValueError):
        return False


def is_verified(path: Path, sha256: str, on_bytes: Callable[[int], None] | None = None) -> bool:
    """Whether `path` holds the bytes with this sha256, hashing it only when no check is on record."""
    if not path.is_file():
        return False
    if was_verified(path, sha256):
        return True
    if sha256_file(path, on_bytes) != sha256.lower():
        return False
    remember_verified(path, sha256.lower())
    return True
