"""Reading a report's next rows from PostgreSQL while the last ones are written.

A national report waits about as long for the server as it spends building its rows. psycopg
lets go of the interpreter while it waits for a batch, so one thread can wait for the next batch
while the caller turns the last one into rows: the wait is hidden behind the work. (SQLite's
driver lets go of it for every row, and two threads trading it that often are slower than one.)

Only the reading thread touches the store's connection while it runs. The caller gets the
batches in order, and the reader's error where the reader stopped; when the caller stops early
(a `--limit`, a closed pipe, an error of its own) the reader is stopped and waited for before
the caller goes on, so the read transaction is never closed under it.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator
from typing import TypeVar

T = TypeVar("T")

_DONE = object()


class _Failed:
    def __init__(self, error: BaseException):
        self.error = error


def read_ahead(batches: Iterator[T], depth: int = 2) -> Iterator[T]:
    """`batches` in order, each read by a thread while the caller works on the one before; at
    most `depth` wait unread (a batch is a few thousand rows, so memory stays flat)."""
    ready: queue.Queue = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def read() -> None:
        try:
            for batch in batches:
                ready.put(batch)
                if stop.is_set():
                    return
            ready.put(_DONE)
        except BaseException as error:  # noqa: BLE001 - handed to the caller, raised there
            ready.put(_Failed(error))
        finally:
            close = getattr(batches, "close", None)
            if close is not None:
                close()  # a generator is closed in the thread that ran it

    reader = threading.Thread(target=read, name="score-read-ahead", daemon=True)
    reader.start()
    try:
        while (item := ready.get()) is not _DONE:
            if isinstance(item, _Failed):
                raise item.error
            yield item
    finally:
        stop.set()
        while reader.is_alive():  # a reader waiting to hand over a batch is let go, then waited for
            try:
                ready.get(timeout=0.05)
            except queue.Empty:
                pass
        reader.join()
