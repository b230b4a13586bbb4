"""One chapter as the workflow sees it: its zone and state (the calendar), where it sits,
and which intake queue its requests wait in. Plain SQL, like `access`."""

from __future__ import annotations

from score_cli.domain.errors import NotFound
from score_cli.store.sql import FLAG, query
from score_cli.domain.vocabulary import NATIONAL_QUEUE

_CHAPTER = query("SELECT chapter.code, chapter.name, chapter.city, chapter.state, chapter.timezone, chapter.live,"
                 " chapter.district_code, district.region_code FROM chapter"
                 " JOIN district ON district.code = chapter.district_code WHERE chapter.code = :code", live=FLAG)


def find_chapter(session, code: str):
    """The chapter's row (code, name, city, state, timezone, live, district_code, region_code), or None."""
    return session.execute(_CHAPTER, {"code": code}).first()


def get_chapter(session, code: str):
    """The chapter a person named (any case, spaces around), which must exist."""
    chapter = find_chapter(session, code.strip().upper())
    if chapter is None:
        raise NotFound(f"no chapter with code {code!r} (see `score chapter list`)")
    return chapter


def queue_of(chapter) -> str:
    """Where a chapter's new and returned requests wait: its own intake queue when it is live,
    otherwise the National Intake Queue."""
    return chapter.code if chapter.live else NATIONAL_QUEUE
