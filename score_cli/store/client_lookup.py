"""Which client an e-mail already belongs to, whoever is connected.

Taking in a request, a coordinator links it to the client who wrote before under the same
e-mail, wherever that client's earlier requests went. On a shared PostgreSQL store a
coordinator's login reads only the clients of requests their role reaches (`store/security.py`),
so a returning client from another chapter looked new and the e-mail, which is unique, was
refused. The function `score_clients_by_email` answers this one question for any login; the
client's details become readable to the coordinator once the new request is theirs.
"""

from __future__ import annotations

from sqlalchemy import select, text

from score_cli.store.models import ClientEmail

_BY_FUNCTION = text("SELECT email, client_id FROM score_clients_by_email(:emails)")


def clients_by_email(session, emails) -> list[tuple[str, int]]:
    """(e-mail, client id) of each of `emails` some client already has."""
    emails = list(emails)
    if not emails:
        return []
    if session.get_bind().dialect.name == "postgresql":
        return [tuple(row) for row in session.execute(_BY_FUNCTION, {"emails": emails}).all()]
    return [tuple(row) for row in session.execute(
        select(ClientEmail.email, ClientEmail.client_id).where(ClientEmail.email.in_(emails))).all()]
