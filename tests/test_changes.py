"""After each block the model is told what it changed in the working directory, since a block that
changes files usually prints nothing: created, renamed, changed and removed entries, by name and size."""

from __future__ import annotations

import tarfile

from scripted import Scripted, converse, run_given

from localinterp.changes import MAX_ENTRIES, describe, doubled_dots, gone_by_block, snapshot


def test_a_silent_gzip_d_is_told_that_the_archive_was_replaced(tmp_path):
    # The 1.5B ran `gzip -d events.txt.gz`, then the same on the gone archive, and answered "no such file".
    import gzip

    (tmp_path / "events.txt.gz").write_bytes(gzip.compress(b"".join(b"%d\n" % i for i in range(50))))
    engine = Scripted(("shell", "gzip -d events.txt.gz"), ("shell", "wc -l < events.txt"), "50 lines.")
    converse(engine, tmp_path, "How many lines does events.txt.gz have?", ("shell",), previews=True)
    told = engine.seen[1][-1].content
    assert told.startswith("The shell block ran without error but printed nothing")
    assert (
        "Files the block changed in the working directory: created events.txt (140 bytes); "
        "removed events.txt.gz."
    ) in told
    assert "Files the block changed" not in engine.seen[2][-1].content  # reading changes nothing


def test_renames_new_folders_and_rewrites_are_named_once_each(tmp_path):
    (tmp_path / "pics").mkdir()
    for name in ("a", "b"):
        (tmp_path / "pics" / f"{name}.jpeg").write_bytes(b"")
    (tmp_path / "notes.md").write_text("old\n")
    with tarfile.open(tmp_path / "bundle.tar.gz", "w:gz") as tar:
        tar.add(tmp_path / "notes.md", "bundle/notes.md")
        tar.add(tmp_path / "notes.md", "bundle/deep/again.md")
    engine = Scripted(
        ("shell", 'for f in pics/*.jpeg; do mv "$f" "${f%.jpeg}.jpg"; done'),
        ("shell", "tar -xzf bundle.tar.gz && echo extra >> notes.md"),
        "Done.",
    )
    converse(engine, tmp_path, "Rename the .jpeg files in pics to .jpg.", ("shell",), previews=True)
    assert (
        "renamed pics/a.jpeg -> pics/a.jpg; renamed pics/b.jpeg -> pics/b.jpg." in engine.seen[1][-1].content
    )
    second = engine.seen[2][-1].content
    assert "created bundle/ (2 files); changed notes.md (10 bytes)." in second


def test_only_local_models_hear_of_it_and_big_or_hidden_folders_say_nothing(tmp_path):
    engine = Scripted(("shell", "echo 1 > made.txt"), "Made.")
    converse(engine, tmp_path, "Make made.txt.", ("shell",), previews=False)
    assert "Files the block changed" not in engine.seen[1][-1].content
    # Hidden entries (.git) are not compared; a folder with more entries than MAX_ENTRIES is not at all.
    before = snapshot(tmp_path)
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "index").write_text("x")
    assert describe(before, snapshot(tmp_path)) == ""
    many = tmp_path / "many"
    many.mkdir()
    for i in range(MAX_ENTRIES + 1):
        (many / str(i)).touch()
    assert snapshot(tmp_path) is None and describe(before, None) == ""


def test_links_are_not_followed_and_names_shown_elsewhere_are_skipped(tmp_path):
    outside = tmp_path / "outside"
    (outside / "deep").mkdir(parents=True)
    work = tmp_path / "work"
    work.mkdir()
    (work / "link").symlink_to(outside, target_is_directory=True)
    before = snapshot(work)
    assert set(before) == {"link"}
    (outside / "deep" / "new.txt").write_text("x")
    (work / "out.json").write_text("[]")
    assert describe(before, snapshot(work)) == (
        "Files the block changed in the working directory: created out.json (2 bytes)."
    )
    assert describe(before, snapshot(work), frozenset({"out.json"})) == ""


def test_a_rename_that_kept_the_old_extensions_dot_is_named(tmp_path):
    # `file_name[:-4] + '.jpg'` on "a.jpeg" gives "a..jpg": the 1.5B answered done (rename, seed 28000).
    (tmp_path / "pics").mkdir()
    (tmp_path / "pics" / "a.jpeg").write_bytes(b"x")
    kept_dot = "import os\nfor f in os.listdir('pics'):\n    os.rename(f'pics/{f}', f'pics/{f[:-4]}.jpg')"
    fixed = "import os\nos.rename('pics/a..jpg', 'pics/a.jpg')\nprint(os.listdir('pics'))"
    engine = Scripted(("python", kept_dot), "Renamed.", ("python", fixed), "Renamed.")
    session, _chunks = converse(
        engine, tmp_path, "Rename every .jpeg file in the pics folder to end in .jpg.", previews=True
    )
    said = "pics/a..jpg has two dots before .jpg: the old extension's dot was kept."
    assert said in session.messages[2].context
    assert said in engine.seen[2][-1].content  # answered at once: asked again, as a check
    assert sorted(p.name for p in (tmp_path / "pics").iterdir()) == ["a.jpg"]
    # With the block that mends them, which runs as given: a..jpg and b..jpg become a.jpg and b.jpg.
    for name in ("a..jpg", "b..jpg", "c.jpg"):
        (tmp_path / "pics" / name).write_bytes(b"x")
    (tmp_path / "pics" / "a.jpg").unlink()
    done = run_given(session.messages[2].context, tmp_path)
    assert done.stdout == "['a.jpg', 'b.jpg', 'c.jpg']\n", done.stderr
    assert doubled_dots({}, {"v1.2.jpg": (1, 1, False), "..hidden": (1, 1, False)}) == ""


def test_a_rename_that_added_the_new_extension_to_the_old_name_is_named_with_its_mend(tmp_path):
    # `file + '.jpg'` on "a.jpeg" gives "a.jpeg.jpg": the 0.5B ran the block again, renaming nothing
    # (rename, seed 47000 on this CPU).
    (tmp_path / "pics").mkdir()
    for name in ("a.jpeg", "b.jpeg", "c.png"):
        (tmp_path / "pics" / name).write_bytes(b"x")
    added = "import os\nfor f in os.listdir('pics'):\n    if f.endswith('.jpeg'):\n        os.rename(f'pics/{f}', f'pics/{f}.jpg')"
    engine = Scripted(("python", added), *["Renamed."] * 3)
    session, _chunks = converse(
        engine, tmp_path, "Rename every .jpeg file in the pics folder to end in .jpg.", previews=True
    )
    said = session.messages[2].context
    assert "pics/a.jpeg.jpg, pics/b.jpeg.jpg still hold the old extension before .jpg" in said
    assert run_given(said, tmp_path).stdout == "['a.jpg', 'b.jpg', 'c.png']\n"
    # A new file that merely has two extensions (no file of its stem went away) is not a rename.
    assert doubled_dots({}, {"data.tar.gz": (1, 1, False)}) == ""
    # Nor is a file compressed in place (`gzip a.txt` leaves a.txt.gz).
    assert doubled_dots({"a.txt": (1, 1, False)}, {"a.txt.gz": (1, 2, False)}) == ""


def test_a_check_that_finds_no_file_the_block_itself_renamed_is_told_the_change_is_done(tmp_path):
    # The 1.5B renamed pics/*.jpeg, then listed pics/*.jpeg to check; told only of the ls error, it made
    # seven empty .jpeg files again with touch (rename, fresh seed 58000; this is its block).
    (tmp_path / "pics").mkdir()
    for name in ("fuuwwh", "gasypn"):
        (tmp_path / "pics" / f"{name}.jpeg").write_text("photo\n")
    block = (
        "ls -l pics/*.jpeg\nfor file in pics/*.jpeg; do\n"
        '    mv "$file" "${file%.jpeg}.jpg"\ndone\nls -l pics/*.jpeg'
    )
    engine = Scripted(("shell", block), "Renamed.")
    session, _chunks = converse(
        engine,
        tmp_path,
        "Rename every .jpeg file in the pics folder to end in .jpg instead.",
        ("shell",),
        previews=True,
    )
    ran = session.messages[2]
    assert ran.status == "error" and "ls: cannot access 'pics/*.jpeg'" in ran.content
    assert ran.context.startswith(
        "`pics/*.jpeg` matched nothing because this block itself had just renamed or removed 2 files it "
        "matched: that error shows the change done, not a failure. Do not make those files again.\n"
        "Files the block changed in the working directory: renamed pics/fuuwwh.jpeg -> pics/fuuwwh.jpg"
    )
    # A file that was never there, or one still there: no such sentence.
    before = snapshot(tmp_path)
    missing = "ls: cannot access 'pics/*.png': No such file or directory\n"
    assert gone_by_block(missing, before, before) == ""
    assert gone_by_block("cat: pics/fuuwwh.jpg: No such file or directory\n", before, before) == ""
