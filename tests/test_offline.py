"""Offline and air-gapped use: no connection at all (proved with a socket guard), interrupted downloads
resume, export/import moves models between machines, and corrupt cache entries are never used."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from clihelp import assert_one_line_error, invoke, run_cli
from conftest import QWEN

from localinterp.models import hfcache

GUARD = """
import os, socket
def _blocked(*args, **kwargs):
    with open(os.environ["NET_GUARD_LOG"], "a") as log:
        log.write(repr(args[1:2] or args[:1]) + "\\n")
    raise OSError(101, "network blocked by the test's socket guard")
socket.socket.connect = _blocked
socket.socket.connect_ex = _blocked
socket.create_connection = _blocked
socket.getaddrinfo = _blocked
"""


@pytest.fixture
def guard(tmp_path):
    """Environment for a subprocess in which every socket connection and DNS lookup fails and is logged."""
    folder = tmp_path / "guard"
    folder.mkdir()
    (folder / "sitecustomize.py").write_text(GUARD)
    log = tmp_path / "connections.log"
    env = {"PYTHONPATH": str(folder), "NET_GUARD_LOG": str(log)}
    return env, log


def attempts(log: Path) -> list[str]:
    return log.read_text().splitlines() if log.exists() else []


def test_offline_makes_no_connection_and_uses_the_cache(qwen, guard):
    assert invoke("pull", f"{QWEN}:Q8_0").returncode == 0
    env, log = guard
    for args, extra in (
        (["plan", f"{QWEN}:Q8_0", "--offline", "--json"], {}),
        (["plan", "qwen2.5-coder-7b", "--json"], {"HF_HUB_OFFLINE": "1"}),
        (["pull", f"{QWEN}:q8_0", "--offline"], {}),
        (["models", "--json"], {}),
    ):
        result = run_cli(*args, env=env | extra)
        assert result.returncode == 0, (args, result.stderr)
        assert attempts(log) == [], args
    plan = json.loads(run_cli("plan", "qwen2.5-coder-7b", "--offline", "--json", env=env).stdout)
    assert plan["quant"] == "Q8_0" and plan["download_bytes"] == 0 and "(cached)" in plan["location"]
    # The guard is real: the same command without --offline tries the network and is stopped.
    result = run_cli("plan", f"{QWEN}:Q8_0", env=env)
    assert_one_line_error(result, 4, "cannot reach")
    assert attempts(log)


def test_offline_says_exactly_what_is_missing(guard):
    env, log = guard
    result = run_cli("plan", "mistral-7b", "--offline", env=env)
    message = assert_one_line_error(
        result, 2, "offline, and mistral-7b", "bartowski/Mistral-7B-Instruct-v0.3-GGUF"
    )
    assert "localinterp pull" in message and "localinterp import" in message
    assert_one_line_error(
        run_cli("plan", "acme/Unknown-GGUF:Q4_0", env=env | {"LOCALINTERP_OFFLINE": "1"}),
        2,
        "offline, and acme/Unknown-GGUF:Q4_0 is not on this machine",
    )
    assert attempts(log) == []


def wait_for(predicate, timeout=30.0):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(0.05)
    return False


def start_pull() -> subprocess.Popen[str]:
    """`localinterp pull` of the Q8_0 test file, in a process of its own."""
    return subprocess.Popen(
        [sys.executable, "-m", "localinterp", "pull", f"{QWEN}:Q8_0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=os.environ.copy(),
    )


def test_an_interrupted_or_killed_download_resumes_where_it_stopped(qwen, hub):
    served = qwen.files["Qwen2.5-Coder-7B-Instruct-Q8_0.gguf"]
    partial = hfcache.partial_path(QWEN, served.sha256)
    hub.rate = 1_000_000  # ~3 s for the 2.7 MB file

    # Ctrl-C: the partial file stays, and the user is told the next pull resumes.
    proc = start_pull()
    assert wait_for(lambda: partial.exists() and partial.stat().st_size > 300_000)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 130 and "the same command resumes from there" in err
    first = partial.stat().st_size

    # kill -9 mid-way through the resumed download: no chance to clean up, and still nothing is lost.
    proc = start_pull()
    assert wait_for(lambda: partial.stat().st_size > first + 300_000)
    proc.kill()
    proc.wait(timeout=30)
    second = partial.stat().st_size
    assert second > first and not hfcache.blob_path(QWEN, served.sha256).exists()

    hub.rate = None
    result = invoke("pull", f"{QWEN}:Q8_0")
    assert result.returncode == 0, result.stderr
    assert Path(result.stdout.strip()).read_bytes() == served.path.read_bytes()
    downloads = [r for r in hub.body_requests() if r.endswith("-")]
    assert downloads[0] == "bytes=0-"
    assert downloads[1] == f"bytes={first}-" and downloads[2] == f"bytes={second}-"
    assert len(downloads) == 3 and not partial.exists()


def test_two_pulls_of_the_same_file_at_once_download_it_once(qwen, hub):
    served = qwen.files["Qwen2.5-Coder-7B-Instruct-Q8_0.gguf"]
    partial = hfcache.partial_path(QWEN, served.sha256)
    hub.rate = 2_000_000  # ~1.4 s: the second starts while the first is writing

    first = start_pull()
    assert wait_for(lambda: partial.exists() and partial.stat().st_size > 100_000)
    second = start_pull()
    out1, err1 = first.communicate(timeout=60)
    out2, err2 = second.communicate(timeout=60)
    assert first.returncode == 0 and second.returncode == 0, err1 + err2
    assert "Another process is downloading" in err2
    # Both print the same verified file; its bytes went over the wire once, and no partial is left.
    assert out1.strip() == out2.strip()
    assert Path(out2.strip()).read_bytes() == served.path.read_bytes()
    assert [r for r in hub.body_requests() if r.endswith("-")] == ["bytes=0-"]
    assert not partial.exists()


def test_a_corrupt_cache_entry_is_quarantined_not_loaded(qwen):
    path = Path(invoke("pull", f"{QWEN}:Q8_0").stdout.strip())
    blob = Path(os.path.realpath(path))
    data = bytearray(blob.read_bytes())
    data[-10] ^= 0xFF  # same size: only the hash can tell
    blob.write_bytes(bytes(data))
    result = invoke("pull", f"{QWEN}:Q8_0", "--offline")
    assert_one_line_error(result, 5, "does not match its sha256", "moved to", "localinterp pull")
    assert not blob.exists() and blob.with_name(blob.name + ".corrupt").exists()


def test_a_truncated_cache_entry_is_one_line(qwen):
    path = Path(invoke("pull", f"{QWEN}:Q8_0").stdout.strip())
    blob = Path(os.path.realpath(path))
    with blob.open("r+b") as f:
        f.truncate(blob.stat().st_size // 2)
    assert_one_line_error(invoke("plan", f"{QWEN}:Q8_0", "--offline"), 2, "is truncated", "Download it again")


def test_export_and_import_move_a_model_to_an_air_gapped_machine(qwen, guard, tmp_path, monkeypatch):
    assert invoke("pull", f"{QWEN}:Q8_0").returncode == 0
    stick = tmp_path / "usb"
    result = invoke("export", f"{QWEN}:Q8_0", str(stick), "--offline")
    assert result.returncode == 0, result.stderr
    folder = Path(result.stdout.strip())
    manifest = json.loads((folder / "localinterp-manifest.json").read_text())
    served = qwen.files["Qwen2.5-Coder-7B-Instruct-Q8_0.gguf"]
    assert manifest["files"] == [
        {"name": "Qwen2.5-Coder-7B-Instruct-Q8_0.gguf", "size": served.size, "sha256": served.sha256}
    ]
    assert manifest["source"]["repo"] == QWEN and manifest["metadata"]["quant"] == "Q8_0"

    # "The other machine": fresh caches, and no network at all.
    other = tmp_path / "other"
    env, log = guard
    env = env | {"HF_HOME": str(other / "hf"), "LOCALINTERP_CACHE_DIR": str(other / "cache")}
    result = run_cli("import", str(stick), env=env)
    assert result.returncode == 0, result.stderr
    assert f"use it as {QWEN}:Q8_0" in result.stdout
    plan = run_cli("plan", f"{QWEN}:Q8_0", "--offline", "--json", env=env)
    assert plan.returncode == 0, plan.stderr
    assert (other / "hf" / "hub" / hfcache.repo_folder(QWEN) / "blobs" / served.sha256).is_file()
    assert attempts(log) == []


def test_import_refuses_a_corrupt_export_and_registers_nothing(qwen, tmp_path, monkeypatch):
    assert invoke("pull", f"{QWEN}:Q4_K_M").returncode == 0
    folder = Path(invoke("export", f"{QWEN}:Q4_K_M", str(tmp_path / "usb")).stdout.strip())
    model = folder / "Qwen2.5-Coder-7B-Instruct-Q4_K_M.gguf"
    data = bytearray(model.read_bytes())
    data[500] ^= 1
    model.write_bytes(bytes(data))
    monkeypatch.setenv("HF_HOME", str(tmp_path / "fresh-hf"))
    result = invoke("import", str(tmp_path / "usb"))
    assert_one_line_error(result, 5, "not the", "its manifest lists", "nothing was imported")
    assert not (tmp_path / "fresh-hf").exists() or not list((tmp_path / "fresh-hf").rglob("*.gguf"))
    assert_one_line_error(invoke("import", str(tmp_path)), 2, "holds no localinterp export")


def test_the_real_model_travels_through_the_pypi_channel(smollm2_path, tmp_path, monkeypatch):
    import shutil

    from localinterp.models.resolve import pypi_cache_dir

    pypi_cache_dir().mkdir(parents=True)
    shutil.copy(smollm2_path, pypi_cache_dir() / smollm2_path.name)
    result = invoke("export", "smollm2", str(tmp_path / "usb"), "--offline")
    assert result.returncode == 0, result.stderr
    folder = Path(result.stdout.strip())
    assert json.loads((folder / "localinterp-manifest.json").read_text())["source"]["kind"] == "pypi"
    monkeypatch.setenv("LOCALINTERP_CACHE_DIR", str(tmp_path / "other-cache"))
    assert invoke("plan", "smollm2", "--offline").returncode != 0  # nothing here yet
    result = invoke("import", str(folder))
    assert result.returncode == 0 and "use it as smollm2" in result.stdout
    plan = json.loads(invoke("plan", "smollm2", "--offline", "--json").stdout)
    assert plan["quant"] == "Q4_1" and plan["file"].startswith(str(tmp_path / "other-cache"))
