"""Who ran this command on which machine: the operating-system user and host, for the audit.

On a shared store file, `--as` names the volunteer acting; these two say which account typed it.
"""

from __future__ import annotations

import getpass
import socket
from functools import lru_cache

_LONGEST = 255


@lru_cache(maxsize=1)
def origin() -> tuple[str, str]:
    """(user, host), read once a process; "?" where the system cannot say."""
    try:
        user = getpass.getuser()
    except (KeyError, OSError):  # no name for the uid (a container), no environment
        user = "?"
    try:
        host = socket.gethostname()
    except OSError:
        host = "?"
    return (user or "?")[:_LONGEST], (host or "?")[:_LONGEST]
