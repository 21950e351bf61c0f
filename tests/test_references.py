"""Model references mean what they mean to llama.cpp's `-hf`: `repo:TAG` picks the same file, projectors and
draft heads are never a model, no tag means Q4_K_M then Q8_0, and the hub's addresses and `ALIAS:TAG` work."""

from __future__ import annotations

import pytest
from ggufgen import small_llama

from localinterp.errors import BadInput
from localinterp.models.files import group_files
from localinterp.models.resolve import is_auxiliary, parse_repo_ref, resolve, tag_groups

REPO = "someone/Coder-GGUF"


def names(listing: list[str], tag: str | None) -> list[str]:
    groups, _ = group_files((p, 1) for p in listing if not is_auxiliary(p))
    return [g.name for g in tag_groups(groups, tag)]


LISTING = [
    "Coder-Q4_K_M.gguf", "Coder-UD-Q4_K_M.gguf", "Coder-UD-Q4_K_XL.gguf", "Coder-Q8_0.gguf",
    "Q6_K/Coder-Q6_K-00001-of-00002.gguf", "Q6_K/Coder-Q6_K-00002-of-00002.gguf",
    "mmproj-Coder-F16.gguf", "Coder-Q4_K_M-mtp.gguf", "Coder.imatrix.gguf", "Coder-eagle3-Q8_0.gguf",
]  # fmt: skip


@pytest.mark.parametrize(
    ("tag", "chosen"),
    [
        ("Q4_K_M", ["Coder-Q4_K_M.gguf"]),  # the exact name part, not UD-Q4_K_M
        ("q4_k_m", ["Coder-Q4_K_M.gguf"]),  # any case
        ("UD-Q4_K_M", ["Coder-UD-Q4_K_M.gguf"]),
        ("UD-Q4_K_XL", ["Coder-UD-Q4_K_XL.gguf"]),
        ("Q6_K", ["Q6_K/Coder-Q6_K-00001-of-00002.gguf"]),  # in a subfolder, shard 1 with its sibling
        ("Q8_0", ["Coder-Q8_0.gguf"]),  # not the EAGLE draft head
        (None, ["Coder-Q4_K_M.gguf"]),  # no tag: Q4_K_M first
        ("IQ2_XXS", []),
    ],
)
def test_a_tag_picks_the_file_llama_cpp_picks(tag, chosen):
    assert names(LISTING, tag) == chosen


def test_no_tag_falls_back_to_q8_0_then_to_the_planners_choice():
    assert names(["M-Q8_0.gguf", "M-F16.gguf", "mmproj-M-Q8_0.gguf"], None) == ["M-Q8_0.gguf"]
    assert names(["M-Q5_K_M.gguf", "M-F16.gguf"], None) == ["M-F16.gguf", "M-Q5_K_M.gguf"]


def test_a_loose_tag_matches_a_name_part_followed_by_a_dot_or_dash():
    assert names(["Llama-3.3-70B-Instruct-Q8_0/Llama-3.3-70B-Instruct-Q8_0-00001-of-00002.gguf",
                  "Llama-3.3-70B-Instruct-Q8_0/Llama-3.3-70B-Instruct-Q8_0-00002-of-00002.gguf"], "Q8_0") == [
        "Llama-3.3-70B-Instruct-Q8_0/Llama-3.3-70B-Instruct-Q8_0-00001-of-00002.gguf"
    ]  # fmt: skip
    assert names(["gpt-oss-20b-mxfp4.gguf"], "MXFP4") == ["gpt-oss-20b-mxfp4.gguf"]
    assert names(["model-Q4_K_Mx.gguf"], "Q4_K_M") == []  # a part must end at . or -


@pytest.mark.parametrize(
    ("ref", "repo", "quant", "filename"),
    [
        ("hf.co/org/name:Q4_K_M", "org/name", "Q4_K_M", None),
        ("huggingface.co/org/name", "org/name", None, None),
        ("https://huggingface.co/org/name", "org/name", None, None),
        ("https://huggingface.co/org/name/", "org/name", None, None),
        ("https://huggingface.co/org/name/blob/main/sub/x-Q8_0.gguf", "org/name", None, "sub/x-Q8_0.gguf"),
        ("https://huggingface.co/org/name/resolve/abc123/x-Q8_0.gguf?download=true", "org/name", None, "x-Q8_0.gguf"),
    ],
)  # fmt: skip
def test_hub_addresses_are_references(ref, repo, quant, filename):
    parsed = parse_repo_ref(ref)
    assert (parsed.repo, parsed.quant, parsed.filename) == (repo, quant, filename)


@pytest.fixture
def coder(hub, tmp_path_factory):
    src = tmp_path_factory.mktemp("coder")
    files = {
        "Coder-Q4_K_M.gguf": small_llama(src / "a.gguf", "Q4_K_M", name="Coder"),
        "Coder-UD-Q4_K_M.gguf": small_llama(src / "b.gguf", "Q4_K_M", name="Coder UD"),
        "Coder-Q8_0.gguf": small_llama(src / "c.gguf", "Q8_0", name="Coder"),
        "mmproj-Coder-Q8_0.gguf": small_llama(src / "d.gguf", "Q8_0", name="projector"),
    }
    hub.add_repo(REPO, files, tags=["gguf"])
    return hub


def only_file(ref: str, **kwargs) -> str:
    (option,) = resolve(ref, **kwargs).options
    return option.hub.files[0].path


def test_through_the_hub_a_tag_a_url_and_no_tag_choose_as_llama_cpp_does(coder):
    assert only_file(f"{REPO}:Q4_K_M") == "Coder-Q4_K_M.gguf"
    assert only_file(f"{REPO}:ud-q4_k_m") == "Coder-UD-Q4_K_M.gguf"
    assert only_file(f"hf.co/{REPO}:Q8_0") == "Coder-Q8_0.gguf"
    assert only_file(f"https://huggingface.co/{REPO}/blob/main/Coder-Q8_0.gguf") == "Coder-Q8_0.gguf"
    resolved = resolve(REPO)
    assert [o.hub.files[0].path for o in resolved.options] == ["Coder-Q4_K_M.gguf"]
    assert any("No tag given: Q4_K_M" in note for note in resolved.notes)
    assert "mmproj" not in " ".join(resolved.offered)
    with pytest.raises(BadInput, match="quant Q2_K is not offered"):
        resolve(f"{REPO}:Q2_K")


def test_an_alias_takes_a_tag_too(hub, tmp_path_factory):
    from conftest import QWEN

    src = tmp_path_factory.mktemp("q")
    hub.add_repo(QWEN, {f"Qwen2.5-Coder-7B-Instruct-{q}.gguf": small_llama(src / f"{q}.gguf", q, name="Qwen")
                        for q in ("Q4_K_M", "Q8_0")})  # fmt: skip
    (option,) = resolve("qwen2.5-coder-7b:q8_0").options
    assert option.quant == "Q8_0" and option.alias == "qwen2.5-coder-7b"


# -- downloads as the real hub's CDN answers them -----------------------------------------------------------


def test_every_download_asks_for_a_range_so_a_cdn_refusing_whole_gets_still_serves_it(coder):
    from clihelp import invoke

    coder.refuse_unranged = True
    result = invoke("pull", f"{REPO}:Q8_0")
    assert result.returncode == 0, result.stderr
    gets = [r for r in coder.requests if r[0] == "GET" and "/resolve/" not in r[1] and "/api/" not in r[1]]
    assert gets and all(rng is not None for _method, _path, rng in gets)


def test_a_file_served_only_through_xet_says_how_to_get_it(coder, monkeypatch):
    from clihelp import assert_one_line_error, invoke

    from localinterp.models import hub

    (served,) = [r for r in coder.repos.values() if r.id == REPO]
    coder.xet_only.add(served.files["Coder-Q4_K_M.gguf"].sha256)
    monkeypatch.setattr(hub, "XET_ONLY_BYTES", 1000)  # the threshold is 50 GB; these files are small
    result = invoke("pull", f"{REPO}:Q4_K_M")
    assert result.returncode in (4, 6)
    assert_one_line_error(
        result, result.returncode, "served only through the hub's Xet storage", "hf download"
    )
    assert "HTTP 403" in result.stderr


def test_catalog_patterns_take_a_quant_as_a_whole_name_part():
    from localinterp.models.catalog import load_catalog

    catalog = load_catalog()
    llama = catalog.get("llama3.3-70b")
    shard = "Llama-3.3-70B-Instruct-Q8_0/Llama-3.3-70B-Instruct-Q8_0-00001-of-00002.gguf"
    assert llama.matches(shard, "Q8_0")
    assert llama.matches(
        "Llama-3.3-70B-Instruct-Q6_K/Llama-3.3-70B-Instruct-Q6_K-00002-of-00002.gguf", "Q6_K"
    )
    assert not llama.matches("Llama-3.3-70B-Instruct-Q6_K_L.gguf", "Q6_K")
    coder = catalog.get("qwen2.5-coder-32b")
    assert coder.matches("Qwen2.5-Coder-32B-Instruct-Q6_K.gguf", "Q6_K")
    assert not coder.matches("Qwen2.5-Coder-32B-Instruct-Q6_K_L.gguf", "Q6_K")
    assert catalog.get("gemma3-270m").quants == ("Q8_0",)
    assert "Q5_K_M" not in catalog.get("smollm2").quants


@pytest.mark.parametrize(
    ("alias", "path", "quant"),
    [
        ("gpt-oss-20b", "gpt-oss-20b-mxfp4.gguf", "MXFP4"),
        ("gpt-oss-120b", "gpt-oss-120b-mxfp4-00003-of-00003.gguf", "MXFP4"),
        ("qwen3-coder-30b-a3b", "Qwen3-Coder-30B-A3B-Instruct-UD-Q4_K_XL.gguf", "UD-Q4_K_XL"),
        ("qwen3-coder-30b-a3b", "Qwen3-Coder-30B-A3B-Instruct-Q4_K_M.gguf", "Q4_K_M"),
        ("qwen3.5-0.8b", "Qwen3.5-0.8B-Q4_0.gguf", "Q4_0"),
        ("qwen3-coder-next", "Qwen3-Coder-Next-Q4_K_M/Qwen3-Coder-Next-Q4_K_M-00001-of-00004.gguf", "Q4_K_M"),
        ("gemma4-26b-a4b", "gemma-4-26B-A4B-it-UD-Q4_K_M.gguf", "UD-Q4_K_M"),
        ("qwen3-4b-2507", "Qwen_Qwen3-4B-Instruct-2507-Q4_K_M.gguf", "Q4_K_M"),
    ],
)
def test_the_2026_entries_name_the_files_their_hub_pages_show(alias, path, quant):
    from localinterp.models.catalog import load_catalog

    entry = load_catalog().get(alias)
    assert quant in entry.quants and entry.matches(path, quant)
    assert entry.source.startswith("hf.co/") and entry.checked == "2026-11"
    if alias == "qwen3-coder-30b-a3b":
        assert not entry.matches("Qwen3-Coder-30B-A3B-Instruct-UD-Q4_K_XL.gguf", "Q4_K_M")


@pytest.mark.parametrize("listed", ["gemma-4-e4b-it-Q8_0.gguf", "gemma-4-E4B-it-Q8_0.gguf"])
def test_gemma_4_e4b_takes_its_file_names_case_from_the_repo_listing(hub, tmp_path, listed):
    src = small_llama(tmp_path / "g.gguf", "Q8_0", name="gemma-4-E4B-it")
    hub.add_repo("ggml-org/gemma-4-E4B-it-GGUF", {listed: src})
    resolved = resolve("gemma4-e4b")
    (option,) = resolved.options  # Q4_K_M is not in this listing: only what the repo has is offered
    assert option.quant == "Q8_0" and option.location.endswith(f"/{listed}")
