"""`localinterp models` and `localinterp rm`: what is cached, and removing it (never the user's own files)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from clihelp import assert_one_line_error, invoke
from conftest import QWEN
from ggufgen import small_llama

from localinterp.models import hfcache


@pytest.fixture
def pulled(qwen):
    for quant in ("Q4_K_M", "Q8_0"):
        assert invoke("pull", f"{QWEN}:{quant}").returncode == 0
    return {name: f.path for name, f in qwen.files.items()}


def test_models_lists_cached_files_then_catalog_entries_not_pulled(pulled):
    records = json.loads(invoke("models", "--json").stdout)
    cached = {r["ref"]: r for r in records if r["pulled"]}
    assert set(cached) == {f"{QWEN}:Q4_K_M", f"{QWEN}:Q8_0"}
    q8 = cached[f"{QWEN}:Q8_0"]
    assert (
        q8["quant"] == "Q8_0" and q8["size"] == pulled["Qwen2.5-Coder-7B-Instruct-Q8_0.gguf"].stat().st_size
    )
    assert q8["alias"] == "qwen2.5-coder-7b" and q8["source"] == "hub" and q8["last_used"] > 0
    assert Path(q8["path"]).is_file()
    not_pulled = {r["ref"] for r in records if not r["pulled"]}
    assert "mistral-7b" in not_pulled and "qwen2.5-coder-7b" not in not_pulled
    table = invoke("models").stdout
    assert "Models on this machine" in table and "In the catalog, not pulled:" in table


def test_rm_removes_one_quant_and_its_blob(pulled):
    q8 = json.loads(invoke("models", "--json").stdout)
    path = next(Path(r["path"]) for r in q8 if r["ref"] == f"{QWEN}:Q8_0")
    blob = Path(os.path.realpath(path))
    result = invoke("rm", f"{QWEN}:Q8_0")
    assert result.returncode == 0 and "removed" in result.stdout and "MiB" in result.stdout
    assert not blob.exists() and not path.exists()
    left = [r["ref"] for r in json.loads(invoke("models", "--json").stdout) if r["pulled"]]
    assert left == [f"{QWEN}:Q4_K_M"]
    assert invoke("rm", "qwen2.5-coder-7b").returncode == 0  # by alias: the rest of it
    assert not any((hfcache.repo_dir(QWEN) / "blobs").iterdir())


def test_rm_never_touches_files_outside_the_caches(tmp_path):
    mine = small_llama(tmp_path / "mine-Q8_0.gguf", "Q8_0")
    assert_one_line_error(invoke("rm", str(mine)), 2, "only removes what it downloaded")
    assert mine.exists()
    assert_one_line_error(invoke("rm", "acme/Nothing-GGUF"), 2, "nothing cached matches acme/Nothing-GGUF")
