"""Legacy GGML models through ctransformers in a worker process: chosen by magic, streamed as events,
and every failure (package missing, a file that crashes ctransformers) is one clear error."""

from __future__ import annotations

import threading

import pytest
from ggmlgen import write_ggjt_llama, write_ggml_gpt2
from ggufgen import tiny_llama

from localinterp.engine.legacy import LegacyEngine, guess_model_type, is_legacy_ggml, render_transcript
from localinterp.engine.types import ChatMessage as M
from localinterp.engine.types import Sampling, TextDelta, TurnEnd
from localinterp.errors import LoadError

pytest.importorskip("ctransformers", reason="the legacy extra (ctransformers) is not installed")


@pytest.fixture
def gpt2(tmp_path):
    return write_ggml_gpt2(tmp_path / "tiny-gpt2.ggml.bin")


def test_legacy_files_are_told_apart_from_gguf_by_magic(gpt2, tmp_path):
    assert is_legacy_ggml(gpt2) and guess_model_type(gpt2) == "gpt2"
    ggjt = write_ggjt_llama(tmp_path / "mystery.bin")
    assert is_legacy_ggml(ggjt) and guess_model_type(ggjt) == "llama"  # versioned magic: llama family
    assert not is_legacy_ggml(tiny_llama(tmp_path / "m.gguf"))
    unnamed = write_ggml_gpt2(tmp_path / "weights.bin")
    with pytest.raises(LoadError, match="architecture its name does not reveal"):
        LegacyEngine(unnamed)


def test_a_gpt2_ggml_model_streams_events_through_the_worker(gpt2):
    engine = LegacyEngine(gpt2, n_ctx=128)
    events = list(engine.chat([M("user", "hi")], max_tokens=8, sampling=Sampling(temperature=0.0)))
    end = events[-1]
    assert isinstance(end, TurnEnd) and end.reason in ("stop", "length") and end.text
    assert "".join(e.text for e in events if isinstance(e, TextDelta)) == end.text
    # A stop request ends the worker; the next turn starts a new one.
    stop = threading.Event()
    stop.set()
    assert list(engine.chat([M("user", "hi")], max_tokens=8, stop=stop))[-1].reason == "interrupted"
    assert list(engine.chat([M("user", "hi")], max_tokens=4))[-1].reason in ("stop", "length")
    # A reply begun with a start (the session's handed block) holds it as written, streamed first.
    begun = list(engine.chat([M("user", "hi")], max_tokens=4, start="```python\nx = 1\n"))
    assert begun[-1].text.startswith("```python\nx = 1\n")
    engine.close()


def test_a_file_that_crashes_ctransformers_is_one_clear_error_not_a_crash(tmp_path):
    # This hand-written ggjt file makes ctransformers' C++ code abort; only the worker dies.
    ggjt = write_ggjt_llama(tmp_path / "llama-7b.ggmlv3.bin")
    engine = LegacyEngine(ggjt)
    with pytest.raises(
        LoadError, match=r"ctransformers crashed running llama-7b\.ggmlv3\.bin as a llama model"
    ):
        list(engine.chat([M("user", "hi")], max_tokens=4))


def test_without_ctransformers_the_error_says_how_to_install_it(gpt2, tmp_path, monkeypatch):
    hide = tmp_path / "hide"
    hide.mkdir()
    (hide / "sitecustomize.py").write_text("import sys\nsys.modules['ctransformers'] = None\n")
    monkeypatch.setenv("PYTHONPATH", str(hide))
    with pytest.raises(LoadError, match=r"pip install 'localinterp\[legacy\]'"):
        LegacyEngine(gpt2)


def test_the_transcript_format_ends_where_the_assistant_speaks():
    text = render_transcript([M("system", "be brief"), M("user", "hi")])
    assert text == "### System:\nbe brief\n\n### User:\nhi\n\n### Assistant:\n"


def test_a_model_file_is_opened_by_its_magic(gpt2, smollm2_path):
    from localinterp.engine.local import LoadOptions, LocalEngine
    from localinterp.engine.select import open_file

    legacy = open_file(gpt2, LoadOptions(n_ctx=128), languages=("python",))
    assert isinstance(legacy, LegacyEngine)
    legacy.close()
    local = open_file(smollm2_path, LoadOptions(n_ctx=256), languages=("python",))
    assert isinstance(local, LocalEngine)
    local.close()
