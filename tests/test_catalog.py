"""models.toml: the shipped catalog is valid, and a broken one is reported by file and line."""

from __future__ import annotations

from pathlib import Path

import pytest

from localinterp.errors import CatalogError
from localinterp.models.catalog import load_catalog, parse_catalog

REPO = Path(__file__).resolve().parent.parent


def test_shipped_catalog_is_the_top_level_models_toml():
    assert load_catalog().entries == load_catalog(REPO / "models.toml").entries


def test_every_entry_is_complete():
    catalog = load_catalog()
    assert catalog.default == "smollm2"
    for entry in catalog.entries.values():
        assert entry.pypi and entry.size > 0 and len(entry.sha256) == 64
        assert entry.file.endswith(".gguf")


def test_typo_gets_suggestions():
    assert load_catalog().suggestions("smolm2") == ["smollm2"]


def test_invalid_toml_names_file_and_line():
    with pytest.raises(CatalogError, match=r"my.toml is not valid TOML: .*line 3"):
        parse_catalog('default = "a"\n[models.a]\nname = \n', "my.toml")


def test_bad_checksum_field_is_named():
    text = """default = "a"
[models.a]
name = "A"
params = "1B"
license = "mit"
file = "a.gguf"
quant = "Q4_0"
size = 10
sha256 = "xyz"
"""
    with pytest.raises(CatalogError, match=r"\[models.a\]: 'sha256' must be 64 hexadecimal digits"):
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
