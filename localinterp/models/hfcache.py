"""The Hugging Face hub cache, read and written in huggingface_hub's own layout.

    HF_HUB_CACHE/models--ORG--NAME/
        blobs/SHA256                      file contents, named by their LFS sha256 (the hub's ETag)
        snapshots/COMMIT/PATH -> ../../blobs/SHA256
        refs/main                         the commit `main` pointed to when last downloaded

Files localinterp downloads are therefore found by every other HF tool, and files they downloaded are
found by localinterp, with no second copy. Writes use huggingface_hub's lock files, so the two never write
the same blob at once.
"""

from __future__ import annotations

import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

from localinterp.errors import UnsafePath
from localinterp.fsutil import atomic_write, inside, plain_name
from localinterp.settings import hf_hub_cache

_SHA256_RE = re.compile(r"^[0-9a-f]{64}$")
# The hub's own rule for repo ids (huggingface_hub's validate_repo_id): one slash at most, these characters.
_REPO_RE = re.compile(r"^(?:[\w\-.]{1,96}/)?[\w\-.]{1,96}$")
PARTIAL_SUFFIX = ".localinterp-partial"


def repo_folder(repo: str) -> str:
    """huggingface_hub's folder name for a model repo."""
    if not isinstance(repo, str) or not _REPO_RE.match(repo) or ".." in repo or "--" in repo:
        raise UnsafePath(f"{repo!r} is not a valid Hugging Face repo id (org/name); refusing to use it.")
    return "models--" + repo.replace("/", "--")


def _sha256(sha256: str) -> str:
    if not isinstance(sha256, str) or not _SHA256_RE.match(sha256):
        raise UnsafePath(f"{sha256!r} is not a sha256 hex digest; refusing to use it as a blob name.")
    return sha256


def repo_dir(repo: str) -> Path:
    """The cache folder of `repo`."""
    return hf_hub_cache() / repo_folder(repo)


def blob_path(repo: str, sha256: str) -> Path:
    """Where the file with this content is stored."""
    return repo_dir(repo) / "blobs" / _sha256(sha256)


def partial_path(repo: str, sha256: str) -> Path:
    """Where an unfinished download of the blob grows; stable across processes, so a later run resumes it."""
    return repo_dir(repo) / "blobs" / (_sha256(sha256) + PARTIAL_SUFFIX)


def lock_path(repo: str, sha256: str) -> Path:
    """The lock huggingface_hub takes while writing this blob."""
    return hf_hub_cache() / ".locks" / repo_folder(repo) / f"{_sha256(sha256)}.lock"


def snapshot_path(repo: str, commit: str, path: str) -> Path:
    """Where the file `path` of `commit` appears; `commit` and `path` come from the hub or a manifest, so
    neither may lead out of the snapshot folder."""
    commit_dir = repo_dir(repo) / "snapshots" / plain_name(commit, "the commit")
    return inside(commit_dir, path, f"the repo file of {repo}")


def read_ref(repo: str, ref: str = "main") -> str | None:
    """The commit a ref pointed to when files were last downloaded, if known."""
    try:
        return (repo_dir(repo) / "refs" / ref).read_text().strip() or None
    except OSError:
        return None


def write_ref(repo: str, commit: str, ref: str = "main") -> None:
    """Record the commit `ref` points to (atomically)."""
    atomic_write(repo_dir(repo) / "refs" / plain_name(ref, "the ref"), plain_name(commit, "the commit"))


def link_snapshot(repo: str, commit: str, path: str, sha256: str) -> Path:
    """Make `path` of `commit` point at its blob; returns the snapshot path."""
    dest = snapshot_path(repo, commit, path)
    blob = blob_path(repo, sha256)
    dest.parent.mkdir(parents=True, exist_ok=True)
    if dest.is_symlink() or dest.exists():
        if dest.resolve() == blob.resolve():
            return dest
        dest.unlink()
    try:
        dest.symlink_to(os.path.relpath(blob, dest.parent))
    except OSError:
        # No symlinks (Windows without developer mode): huggingface_hub then keeps a plain copy too.
        try:
            os.link(blob, dest)
        except OSError:
            shutil.copyfile(blob, dest)
    return dest


def canonical_repo(repo: str) -> str | None:
    """The repo id as cached (the hub is case-insensitive; the cache keeps the case of the first download)."""
    root = hf_hub_cache()
    exact = root / repo_folder(repo)
    if exact.is_dir():
        return repo
    if not root.is_dir():
        return None
    want = repo_folder(repo).lower()
    for child in root.iterdir():
        if child.name.lower() == want and child.is_dir():
            return child.name.removeprefix("models--").replace("--", "/", 1)
    return None


def cached_repos() -> list[str]:
    """Every model repo with a cache folder."""
    root = hf_hub_cache()
    if not root.is_dir():
        return []
    return sorted(
        child.name.removeprefix("models--").replace("--", "/", 1)
        for child in root.iterdir()
        if child.name.startswith("models--") and child.is_dir()
    )


@dataclass(frozen=True)
class CachedFile:
    """A complete file of a cached snapshot."""

    repo: str
    commit: str
    path: str  # inside the repo
    local: Path  # the snapshot path (a symlink into blobs/)
    size: int

    @property
    def sha256(self) -> str | None:
        """The content hash, when the blob is named by one (LFS files always are)."""
        name = Path(os.path.realpath(self.local)).name
        return name if _SHA256_RE.match(name) else None


def cached_files(repo: str) -> list[CachedFile]:
    """The files of every cached snapshot of `repo`, the commit `main` points to first."""
    snapshots = repo_dir(repo) / "snapshots"
    if not snapshots.is_dir():
        return []
    main = read_ref(repo)
    commits = sorted(
        (d.name for d in snapshots.iterdir() if d.is_dir()),
        key=lambda c: (c != main, -(snapshots / c).stat().st_mtime),
    )
    files = []
    for commit in commits:
        base = snapshots / commit
        for local in sorted(base.rglob("*")):
            if not local.is_file():  # a dangling link: its blob was removed
                continue
            files.append(
                CachedFile(repo, commit, local.relative_to(base).as_posix(), local, local.stat().st_size)
            )
    return files


def remove_file(cached: CachedFile) -> int:
    """Delete a snapshot file and, when no other snapshot uses it, its blob. Returns bytes freed."""
    blob = Path(os.path.realpath(cached.local))
    cached.local.unlink()
    freed = 0
    in_blobs = blob.parent.name == "blobs" and blob.parent.parent == repo_dir(cached.repo)
    if in_blobs and blob.exists():
        still_used = any(Path(os.path.realpath(other.local)) == blob for other in cached_files(cached.repo))
        if not still_used:
            freed = blob.stat().st_size
            blob.unlink()
    else:
        freed = cached.size
    return freed
