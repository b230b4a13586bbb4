"""Moving a request to another chapter, on any store and as any login.

Row-level security checks the row an UPDATE leaves behind against what the login may read, so a
CIC's login could not send a request to a chapter beyond its sight (the row would vanish from
it). Connected as a person's login, the move is made by `score_move_request`, which checks that
they coordinate the chapter the request leaves; the store's owner and SQLite move it directly.
"""

from __future__ import annotations

from sqlalchemy import text, update

from score_cli.domain.access import TASKS
from score_cli.domain.errors import Refused
from score_cli.store.models import MentoringRequest
from score_cli.store.security import connected_login

_BY_FUNCTION = text("SELECT score_move_request(:request, :chapter, :queue)")


def move_request(session, request_id: int, chapter: str, queue: str | None) -> None:
    """Put the request in `chapter`'s queue `queue`: the last write of a transfer, since a login
    may no longer read the request afterwards."""
    if connected_login(session) is None:
        session.execute(update(MentoringRequest).where(MentoringRequest.id == request_id)
                        .values(chapter_code=chapter, queue=queue).execution_options(synchronize_session=False))
        return
    moved = session.execute(_BY_FUNCTION, {"request": request_id, "chapter": chapter, "queue": queue}).scalar()
    if not moved:
        raise Refused(TASKS["request.coordinate"].rule)
