"""What the sweep's jobs share: keyset pagination over due items, and the signal to skip one."""

from __future__ import annotations

from sqlalchemy import and_, or_


class Skip(Exception):
    """The item no longer needs this (someone changed it since it was found due)."""


def keyset_after(key_a, key_b, after: tuple | None):
    """Keyset pagination on (key_a, key_b) > after."""
    if after is None:
        return True
    return or_(key_a > after[0], and_(key_a == after[0], key_b > after[1]))
