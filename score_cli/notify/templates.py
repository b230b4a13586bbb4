"""E-mail templates: one readable file per event in `templates/`.

A file starts with a `Subject:` line, then a blank line, then the body. `{name}` places are
filled from the values given; a missing value is left visible rather than failing.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

TEMPLATES = Path(__file__).resolve().parent / "templates"


class _Visible(dict):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


@lru_cache(maxsize=None)
def _load(event: str) -> tuple[str, str]:
    path = TEMPLATES / f"{event}.txt"
    text = path.read_text(encoding="utf-8")
    head, _, body = text.partition("\n\n")
    if not head.startswith("Subject:"):
        raise ValueError(f"{path} must start with a Subject: line")
    return head.removeprefix("Subject:").strip(), body.strip() + "\n"


def events() -> list[str]:
    return sorted(p.stem for p in TEMPLATES.glob("*.txt"))


def render(event: str, values: dict) -> tuple[str, str]:
    subject, body = _load(event)
    fill = _Visible({k: ("" if v is None else v) for k, v in values.items()})
    return subject.format_map(fill), body.format_map(fill)
