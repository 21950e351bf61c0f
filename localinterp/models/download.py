"""Downloads that survive interruption and are checked before anything uses them.

huggingface_hub writes each download to a temporary file unique to its process, so a download killed at
90 % starts again from zero. Here the unfinished file has a stable name beside its blob
(`blobs/SHA256.localinterp-partial`), a later run continues it with an HTTP range request, and the
sha256 the hub lists for the file is checked as the bytes arrive. Only a verified file is renamed to its
blob name, atomically; a mismatch is set aside as `blobs/SHA256.corrupt` and never linked into a snapshot.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import time
from collections.abc import Callable
from pathlib import Path
from typing import Protocol

from localinterp.errors import AccessDenied, DownloadError, HubUnreachable, VerificationError
from localinterp.models import hfcache
from localinterp.models.hub import Hub, HubFile, xet_hint
from localinterp.models.verify import CHUNK, copy_hashing, forget_verified, is_verified, remember_verified
from localinterp.units import fmt_bytes

RETRIES = 5  # network drops in a row before giving up (the partial file is kept either way)
BACKOFF_S = (1, 2, 4, 8, 15)
DISK_MARGIN = 64 * 1024 * 1024  # never fill a disk to the last byte


class Progress(Protocol):
    """Where byte counts go; the UI implements it (ui/progress.py), the library default ignores it."""

    def begin(self, label: str, total: int, done: int) -> None: ...

    def advance(self, n: int) -> None: ...

    def end(self) -> None: ...


class NoProgress:
    """Progress that shows nothing."""

    def begin(self, label: str, total: int, done: int) -> None:
        pass

    def advance(self, n: int) -> None:
        pass

    def end(self) -> None:
        pass


def check_disk(directory: Path, needed: int, what: str) -> None:
    """Refuse, with the numbers, a write of `needed` bytes that would not fit under `directory`."""
    directory.mkdir(parents=True, exist_ok=True)
    free = shutil.disk_usage(directory).free
    if needed + DISK_MARGIN > free:
        raise DownloadError(
            f"not enough disk space for {what}: it needs {fmt_bytes(needed)} more in {directory}, and "
            f"{fmt_bytes(free)} are free. Free some space, or point HF_HUB_CACHE at a bigger disk."
        )


def quarantine(path: Path) -> Path:
    """Set a bad file aside under a name nothing loads; returns where it went."""
    dest = path.with_name(path.name.split(".")[0] + ".corrupt")
    path.replace(dest)
    return dest


def fetch_blob(
    hub: Hub,
    repo: str,
    commit: str,
    file: HubFile,
    *,
    progress: Progress | None = None,
    on_status: Callable[[str], None] | None = None,
) -> Path:
    """Download (or resume, or reuse) one LFS file into the HF cache; returns its verified snapshot path."""
    progress = progress or NoProgress()
    say = on_status or (lambda _msg: None)
    if not file.sha256:
        raise DownloadError(
            f"{repo}/{file.path} is not an LFS file; the hub lists no sha256 to verify it by."
        )
    sha = file.sha256.lower()
    blob = hfcache.blob_path(repo, sha)
    if blob.exists():
        say(f"Checking {file.path}, already in the Hugging Face cache")
        progress.begin(f"verify {file.path}", file.size, 0)
        ok = is_verified(blob, sha, progress.advance)
        progress.end()
        if ok:
            return hfcache.link_snapshot(repo, commit, file.path, sha)
        moved = quarantine(blob)
        say(f"The cached copy of {file.path} did not match its sha256; it was moved to {moved}.")

    from filelock import FileLock, Timeout

    lock_file = hfcache.lock_path(repo, sha)
    lock_file.parent.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(lock_file))
    try:
        lock.acquire(timeout=0)
    except Timeout:
        say(f"Another process is downloading {file.path}; waiting for it to finish")
        lock.acquire()
    try:
        if blob.exists() and is_verified(blob, sha):  # the other process finished it
            return hfcache.link_snapshot(repo, commit, file.path, sha)
        _download(hub, repo, commit, file, blob, progress, say)
    finally:
        lock.release()
    return hfcache.link_snapshot(repo, commit, file.path, sha)


def _download(
    hub: Hub,
    repo: str,
    commit: str,
    file: HubFile,
    blob: Path,
    progress: Progress,
    say: Callable[[str], None],
) -> None:
    sha = blob.name
    partial = hfcache.partial_path(repo, sha)
    have = partial.stat().st_size if partial.exists() else 0
    if have > file.size:
        partial.unlink()
        have = 0
    check_disk(blob.parent, file.size - have, f"{repo}/{file.path}")
    digest = hashlib.sha256()
    if have:
        # The bytes already here are hashed again rather than trusted: a partial file is only as good as
        # the process that wrote it.
        say(f"Resuming {file.path} at {fmt_bytes(have)} of {fmt_bytes(file.size)}")
        with partial.open("rb") as f:
            while chunk := f.read(CHUNK):
                digest.update(chunk)
    url = hub.file_url(repo, commit, file.path)
    progress.begin(file.path, file.size, have)
    failures = 0
    try:
        with partial.open("ab") as out:
            while have < file.size:
                try:
                    with hub.stream(repo, url, have) as response:
                        if response.status_code == 416:
                            break
                        if response.status_code == 200 and have:
                            # The server ignored the range: start over rather than append the wrong bytes.
                            out.seek(0)
                            out.truncate()
                            digest, have = hashlib.sha256(), 0
                            progress.begin(file.path, file.size, 0)
                        for chunk in response.iter_bytes():
                            out.write(chunk)
                            digest.update(chunk)
                            have += len(chunk)
                            progress.advance(len(chunk))
                            failures = 0
                            if have > file.size:
                                break
                except AccessDenied as e:
                    out.flush()
                    raise AccessDenied(f"{e}{xet_hint(file.size)}") from None
                except DownloadError as e:
                    out.flush()
                    if not isinstance(e, HubUnreachable) or failures >= RETRIES:
                        raise type(e)(
                            f"{e} {fmt_bytes(have)} of {fmt_bytes(file.size)} are kept; run the same command "
                            "again to resume." + xet_hint(file.size)
                        ) from None
                    wait = BACKOFF_S[min(failures, len(BACKOFF_S) - 1)]
                    failures += 1
                    say(f"Connection lost at {fmt_bytes(have)}; retrying in {wait} s ({failures}/{RETRIES})")
                    time.sleep(wait)
            out.flush()
            os.fsync(out.fileno())
    except KeyboardInterrupt:
        progress.end()
        say(f"Stopped at {fmt_bytes(have)} of {fmt_bytes(file.size)}; the same command resumes from there.")
        raise
    except OSError as e:
        raise DownloadError(
            f"could not write {partial} ({e.strerror or e}); the download is kept so far."
        ) from None
    progress.end()
    if have != file.size:
        moved = quarantine(partial)
        raise VerificationError(
            f"{repo}/{file.path} arrived with {have:,} bytes, not the {file.size:,} the hub lists; it was moved "
            f"to {moved} and not used. Run the command again to download it afresh."
        )
    got = digest.hexdigest()
    if got != sha:
        moved = quarantine(partial)
        raise VerificationError(
            f"{repo}/{file.path} has sha256 {got[:16]}…, not the {sha[:16]}… the hub lists; it was moved to "
            f"{moved} and not used, and nothing else was touched. Run the command again to download it afresh."
        )
    forget_verified(blob)
    partial.replace(blob)
    remember_verified(blob, sha)


def join_parts(parts: list[Path], dest: Path, *, progress: Progress | None = None) -> str:
    """Concatenate byte-split parts into `dest` atomically; returns the joined file's sha256."""
    progress = progress or NoProgress()
    total = sum(p.stat().st_size for p in parts)
    check_disk(dest.parent, total, dest.name)
    tmp = dest.with_name(dest.name + ".joining")
    progress.begin(f"join {dest.name}", total, 0)
    try:
        sha = copy_hashing(parts, tmp, progress.advance)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    finally:
        progress.end()
    forget_verified(dest)
    tmp.replace(dest)
    remember_verified(dest, sha)
    return sha
