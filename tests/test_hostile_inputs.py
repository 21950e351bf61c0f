"""Bad input from a user, a file or a server: one clear line, a non-zero exit, within seconds, never a
traceback or a hang, and no secret echoed."""

from __future__ import annotations

import dataclasses
import json
import os
import time
from pathlib import Path

import pytest
from clihelp import assert_one_line_error, invoke, run_cli


def test_references_that_are_not_models_are_one_line(tmp_path):
    assert_one_line_error(invoke("plan", ""), 2, "reference is empty")
    assert_one_line_error(invoke("plan", "x" * 10_000), 2)
    fifo = tmp_path / "model.gguf"
    os.mkfifo(fifo)
    started = time.monotonic()
    assert_one_line_error(invoke("plan", str(fifo)), 2, "not a regular file")
    assert time.monotonic() - started < 10
    locked = tmp_path / "locked"
    locked.mkdir()
    (locked / "m.gguf").write_bytes(b"GGUF")
    locked.chmod(0)
    try:
        if os.geteuid() != 0:
            assert_one_line_error(invoke("plan", str(locked)), 2, "permission denied")
        else:  # root reads anything: the refusal is met as an ordinary user
            import shutil
            import subprocess
            import sys

            if shutil.which("setpriv") is None:
                pytest.skip("needs setpriv to run as an ordinary user")
            import tempfile

            # A folder the unprivileged user can reach, holding one it cannot read.
            shared = Path(tempfile.mkdtemp(prefix="li-perm-"))
            shared.chmod(0o755)
            (shared / "locked").mkdir(mode=0)
            own = {var: str(shared / var) for var in ("LOCALINTERP_CACHE_DIR", "XDG_CONFIG_HOME", "HF_HOME")}
            env = dict(os.environ) | own | {"HOME": str(shared), "LOCALINTERP_CONFIG": str(shared / "c.toml")}
            try:
                result = subprocess.run(
                    ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", sys.executable, "-m",
                     "localinterp", "plan", str(shared / "locked")],
                    capture_output=True, text=True, env=env, timeout=60, check=False,
                )  # fmt: skip
            finally:
                shutil.rmtree(shared, ignore_errors=True)
            assert_one_line_error(result, 2, "permission denied")
    finally:
        locked.chmod(0o700)


@pytest.mark.parametrize(
    ("flag", "value", "fragment"),
    [
        ("--temperature", "nan", "the temperature must be a number from 0"),
        ("--temperature", "inf", "the temperature must be a number from 0"),
        ("--temperature", "-5", "the temperature must be a number from 0"),
        ("--max-tokens", "0", "at least 1 token"),
        ("--max-tokens", "-5", "at least 1 token"),
        ("--context-window", "-100", "--context-window = -100"),
    ],
)
def test_chat_flags_out_of_range_are_refused_by_name(flag, value, fragment):
    assert_one_line_error(invoke("chat", "--once", flag, value, "hi"), 2, fragment)


def test_config_values_out_of_range_name_the_file_and_key(isolated_dirs):
    config = Path(os.environ["LOCALINTERP_CONFIG"])
    config.parent.mkdir(parents=True, exist_ok=True)
    for text, fragment in (
        ("temperature = nan\n", "config.toml: temperature = nan"),
        ("timeout = -5\n", "config.toml: timeout = -5"),
        ("context_window = -100\n", "config.toml: context_window = -100"),
    ):
        config.write_text(text)
        assert_one_line_error(invoke("chat", "--once", "hi"), 2, fragment)
    config.write_text('api_key = ["sk-secret-value"]\n')
    line = assert_one_line_error(invoke("chat", "--once", "hi"), 2, "api_key must be a string")
    assert "sk-secret" not in line
    config.write_bytes(b"\x00\xff\xfe binary \x80\x81")
    assert_one_line_error(invoke("chat", "--once", "hi"), 2, "is not text")


def test_a_binary_models_toml_is_one_line(tmp_path, monkeypatch):
    catalog = tmp_path / "models.toml"
    catalog.write_bytes(b"\xff\xfe\x00\x81 not toml")
    monkeypatch.setenv("LOCALINTERP_MODELS_TOML", str(catalog))
    assert_one_line_error(invoke("plan", "smollm2"), 2, "is not text")


def test_resume_refuses_a_hostile_conversation_file_with_a_remedy(isolated_dirs):
    folder = Path(os.environ["LOCALINTERP_DATA_DIR"]) / "conversations"
    folder.mkdir(parents=True)
    deep = folder / "2026-01-01_00-00-00_deep.json"
    deep.write_text("[" * 100_000 + "]" * 100_000)
    result = run_cli("chat", "--resume", "--once", "-m", "none.gguf", timeout=30)
    assert_one_line_error(result, 2, "nested too deeply", "move this file out of the way")
    deep.unlink()
    os.mkfifo(folder / "2026-01-02_00-00-00_fifo.json")
    started = time.monotonic()
    result = run_cli("chat", "--resume", "--once", "-m", "none.gguf", timeout=30)
    assert time.monotonic() - started < 20
    assert_one_line_error(result, 2, "no saved conversation")


@pytest.mark.parametrize(
    ("body", "kind"),
    [
        (b"<html><body>Sign in to the hotel wifi</body></html>", "text/html"),
        (b"\x00\x01garbage\xff", "application/octet-stream"),
        (json.dumps({"siblings": "not a list", "sha": 42}).encode(), "application/json"),
    ],
)
def test_a_hub_that_answers_nonsense_is_one_line(hub, qwen, body, kind):
    hub.api_body = (body, kind)
    for ref in ("bartowski/Qwen2.5-Coder-7B-Instruct-GGUF", "qwen2.5-coder-7b"):
        assert_one_line_error(invoke("plan", ref), 4, "not the Hugging Face API")


def test_a_hub_that_trickles_is_given_up_on_within_the_deadline(hub, qwen, monkeypatch):
    from localinterp.models import hub as hub_module

    monkeypatch.setattr(hub_module, "API_DEADLINE_S", 2.0)
    hub.api_trickle_s = 0.5  # every byte resets the read timeout; only a whole-request bound ends it
    started = time.monotonic()
    assert_one_line_error(invoke("plan", "qwen2.5-coder-7b"), 4, "took more than 2 s", "too slow or stalled")
    assert time.monotonic() - started < 15


def test_export_to_an_unwritable_folder_is_one_line(smollm2_path, tmp_path):
    if os.geteuid() == 0:
        target = Path("/proc/localinterp-cannot-write-here")  # not even root writes into /proc
    else:
        target = tmp_path / "ro"
        target.mkdir()
        target.chmod(0o500)
    assert_one_line_error(invoke("export", str(smollm2_path), str(target)), 2, "cannot")


@pytest.mark.parametrize(
    ("source", "fragment"),
    [
        ("{% for m in messages %}{{ m.content }", "does not compile"),
        ("{{ 1 / 0 }}", "ZeroDivisionError"),
        ("{% macro f() %}{{ f() }}{% endmacro %}{{ f() }}", "RecursionError"),
        ("{{ 'a' * 10**10 }}", "too large"),
        ("{{ 'x'.ljust(10**10) }}", "too large"),
        ("{{ '{:>9999999999}'.format(1) }}", "too large"),
        ("{{ '%9999999999d' % 1 }}", "too large"),
        ("{% for a in range(100000) %}{% for b in range(100000) %}{% endfor %}{% endfor %}", "longer than"),
        ("{{ ().__class__.__base__.__subclasses__() }}", "unsafe"),
    ],
)
def test_a_hostile_chat_template_is_refused_within_seconds(source, fragment, monkeypatch):
    from localinterp.engine import template
    from localinterp.engine.types import ChatMessage
    from localinterp.errors import InvalidModelFile

    monkeypatch.setattr(template, "MAX_SECONDS", 1.0)
    started = time.monotonic()
    with pytest.raises(InvalidModelFile, match=fragment):
        template.chat_template({"tokenizer.chat_template": source}, "", "").render(
            [ChatMessage("user", "hi")]
        )
    assert time.monotonic() - started < 5


@pytest.mark.parametrize(
    ("extra", "fragment"),
    [
        ({"context_length": 2**40}, "more than llama.cpp can represent"),
        ({"attention.head_count": 0}, "says its attention has 0 heads"),
        ({"expert_count": "eight"}, "invalid 'llama.expert_count'"),
    ],
)
def test_crafted_metadata_llama_cpp_would_refuse_is_refused_by_the_planner(tmp_path, extra, fragment):
    from ggufgen import small_llama

    path = small_llama(tmp_path / "crafted.gguf", extra=extra)
    assert_one_line_error(invoke("plan", str(path)), 2, fragment)


def test_escape_sequences_in_a_model_name_never_reach_the_terminal(tmp_path):
    from ggufgen import small_llama

    hostile = "Nice\x1b]0;pwned\x07 Model\x1b]52;c;ZXZpbA==\x07\x1b[2J\r\x08"
    path = small_llama(tmp_path / "named.gguf", name=hostile)
    for args in (("plan", str(path)), ("plan", str(path), "--json")):
        result = run_cli(*args)
        assert result.returncode == 0, result.stderr
        assert "\x1b" not in result.stdout + result.stderr and "\r" not in result.stdout
        assert "Nice Model" in result.stdout


def test_a_verified_file_tampered_with_and_its_mtime_put_back_is_hashed_again(tmp_path):
    from localinterp.models.verify import is_verified, remember_verified, was_verified

    path = tmp_path / "model.gguf"
    path.write_bytes(b"the real weights")
    import hashlib

    sha = hashlib.sha256(b"the real weights").hexdigest()
    remember_verified(path, sha)
    stat = path.stat()
    time.sleep(0.05)
    path.write_bytes(b"evil weights!!!!")  # same size
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # mtime restored, as an attacker would
    assert path.stat().st_size == stat.st_size and path.stat().st_mtime_ns == stat.st_mtime_ns
    assert not was_verified(path, sha)
    assert not is_verified(path, sha)


def test_models_and_probe_tables_show_hostile_strings_inert():
    import io

    from rich.console import Console

    from localinterp.hardware import probe
    from localinterp.models.store import StoredModel
    from localinterp.ui.render import models_view, probe_view

    hostile = "x\x1b]52;c;ZXZpbA==\x07y\x1b[2J\r"
    console = Console(file=io.StringIO(), width=100, force_terminal=True)
    stored = StoredModel(
        ref=hostile, file=hostile, quant="Q4_0", size=1, paths=(Path(hostile),), source=hostile
    )
    hw = probe(llama_cpp=None)
    hw = dataclasses.replace(hw, cpu=dataclasses.replace(hw.cpu, model=hostile), notes=(hostile,))
    console.print(models_view([stored]))
    console.print(probe_view(hw, None))
    shown = console.file.getvalue()
    assert "]52;" not in shown and "[2J" not in shown and "\r" not in shown
    assert "xy" in shown
