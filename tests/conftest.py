"""Shared fixtures: every user directory points at a temp dir; real models are fetched once per machine."""

from __future__ import annotations

import signal
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
# A suite started as a shell's background job (`.ci/run &`, nohup) inherits SIGINT ignored, and so would
# every program a test starts: the tests that press Ctrl-C (bench, a download, the chat) would see nothing
# happen. A user's terminal delivers it; so does the suite, however it was started.
if sys.platform != "win32":
    signal.signal(signal.SIGINT, signal.default_int_handler)
sys.path.insert(0, str(REPO / "scripts"))
sys.path.insert(0, str(Path(__file__).resolve().parent))


@pytest.fixture(autouse=True)
def isolated_dirs(tmp_path_factory, monkeypatch):
    """No test reads or writes the real user's config, caches or Hugging Face home."""
    home = tmp_path_factory.mktemp("home")
    # Every variable localinterp reads is cleared (settings.variables(), derived from the settings
    # registry), then the user directories point here and the hub is a closed loopback port: no test
    # reaches the internet unless it starts its own server.
    from localinterp.settings import variables

    for var in variables():
        monkeypatch.delenv(var, raising=False)
    for var, sub in (
        ("LOCALINTERP_CACHE_DIR", "cache"),
        ("HF_HOME", "hf"),
        ("XDG_CACHE_HOME", "xdg-cache"),
        ("XDG_CONFIG_HOME", "xdg-config"),
        ("XDG_DATA_HOME", "xdg-data"),
        ("LOCALINTERP_DATA_DIR", "data"),
        ("LOCALINTERP_CONFIG", "config/config.toml"),
    ):
        monkeypatch.setenv(var, str(home / sub))
    monkeypatch.setenv("HF_ENDPOINT", "http://127.0.0.1:9")
    return home


@pytest.fixture(scope="session")
def smollm2_path() -> Path:
    """The real SmolLM2-135M-Instruct Q4_1 GGUF, fetched with the project's own script and cached."""
    from fetch_test_models import fetch_test_model

    return fetch_test_model("smollm2")


@pytest.fixture(scope="session")
def qwen05_path() -> Path:
    """The real Qwen2.5-Coder-0.5B-Instruct Q4_K_M (491 MB), the agent tests' model: fetched once, cached."""
    from fetch_test_models import fetch_test_model

    return fetch_test_model("qwen2.5-coder-0.5b")


@pytest.fixture
def hub(monkeypatch):
    """A hub server on loopback, with HF_ENDPOINT pointing at it."""
    from hubserver import FakeHub

    server = FakeHub()
    monkeypatch.setenv("HF_ENDPOINT", server.start())
    yield server
    server.stop()
    from huggingface_hub.utils import close_session

    close_session()  # its pooled connections point at this server


QWEN = "bartowski/Qwen2.5-Coder-7B-Instruct-GGUF"


@pytest.fixture
def qwen(hub, tmp_path_factory):
    """The catalog's qwen2.5-coder-7b repo on the test hub: small files of three quants, and a README."""
    from ggufgen import small_llama

    src = tmp_path_factory.mktemp("qwen")
    files = {
        f"Qwen2.5-Coder-7B-Instruct-{q}.gguf": small_llama(
            src / f"{q}.gguf", q, name="Qwen2.5-Coder-7B-Instruct"
        )
        for q in ("Q4_K_M", "Q5_K_M", "Q8_0")
    }
    readme = src / "README.md"
    readme.write_text("# model card\n")
    return hub.add_repo(QWEN, files | {"README.md": readme}, tags=["gguf"])
