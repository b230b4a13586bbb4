"""Where the shipped organisation data lives (`data/` beside the package, or SCORE_DATA_DIR)."""

import os
from pathlib import Path


def data_dir() -> Path:
    override = os.environ.get("SCORE_DATA_DIR")
    if override:
        return Path(override)
    packaged = Path(__file__).resolve().parent / "data"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parent.parent / "data"


def read_lines(name: str) -> list[str]:
    """A taxonomy file: one entry a line."""
    text = (data_dir() / name).read_text(encoding="utf-8")
    return [line.strip() for line in text.splitlines() if line.strip()]
