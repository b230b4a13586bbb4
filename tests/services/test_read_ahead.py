"""A report's next rows are read while the last ones are written (PostgreSQL), in order, and the
reading stops when the report does."""

from __future__ import annotations

import threading

import pytest

from score_cli.services.reports.read_ahead import read_ahead

WAIT = 10  # seconds: only a broken reader ever waits this long


def test_the_batches_come_in_order_and_whole():
    batches = [[n, n + 1] for n in range(0, 200, 2)]
    assert list(read_ahead(iter(batches))) == batches


def test_the_next_batch_is_read_while_the_caller_works_on_the_last():
    asked_for_second = threading.Event()

    def source():
        yield "first"
        asked_for_second.set()
        yield "second"

    seen = []
    for batch in read_ahead(source()):
        if batch == "first":  # still working on the first: the reader has gone on without us
            assert asked_for_second.wait(WAIT)
        seen.append(batch)
    assert seen == ["first", "second"]


def test_an_error_while_reading_reaches_the_caller_after_the_batches_before_it():
    def source():
        yield 1
        raise RuntimeError("the server went away")

    seen = []
    with pytest.raises(RuntimeError, match="the server went away"):
        for batch in read_ahead(source()):
            seen.append(batch)
    assert seen == [1]


def test_a_caller_that_stops_early_stops_the_reader_and_closes_its_source():
    closed = threading.Event()
    readers_before = threading.active_count()

    def source():
        try:
            n = 0
            while True:  # as many batches as anyone asks for
                n += 1
                yield n
        finally:
            closed.set()

    batches = read_ahead(source())
    assert next(batches) == 1
    batches.close()  # the report's --limit reached
    assert closed.is_set()  # closed before close() returned: the transaction may end now
    assert threading.active_count() == readers_before
