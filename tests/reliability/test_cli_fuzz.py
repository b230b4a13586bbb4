"""Fuzzing every command with malformed input: never a traceback, always an exit code of SPEC §8,
and a command that fails changes nothing."""

from __future__ import annotations

import os
import random
import re

from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st

from tests.helpers import Snapshots, leaf_commands, score
from tests.reliability import counters
from tests.world import ADMIN, CIC, MENTOR

EXAMPLES = 250
OBEYED = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")  # control, C1, bidi overrides


def fuzz_seed() -> int | None:
    """SCORE_FUZZ_SEED=N replays a run, =random starts a new one (its seed is printed with a
    failure and in the end-of-run summary); unset, the run is the same every time."""
    wanted = os.environ.get("SCORE_FUZZ_SEED", "")
    if wanted == "random":
        chosen = random.SystemRandom().randrange(2**32)
        print(f"\nCLI fuzz seed: {chosen} (replay with SCORE_FUZZ_SEED={chosen})")
        return chosen
    return int(wanted) if wanted else None

NASTY_IDS = ["MRE-", "MRE--1", "0", "-1", "MRE-0", "9" * 30, "MRE-1e3", "mre_1", "1;DROP TABLE x", "MRE-１",
             "", " ", "MRE-999999", "2147483648", "MRE-99999999999", "1" * 5000, "١"]
NASTY_DATES = ["2026-02-30", "tomorrow-ish", "", "31/31/2026", "0000-00-00", "2026-13-01", "99999-01-01",
               "1969-12-31", "2026-11-23T25:00", "\u0663\u0660", "9999-12-31", "0001-01-01", "1999-12-31",
               "2061-01-01", "12/31/9999", "Nov 3", "2099-01-01", "3 November"]
NASTY_EMAILS = ["a@", "@b.org", "a b@c.org", "x" * 400 + "@example.org", "UPPER@EXAMPLE.ORG", "a@b", "a@@b.org",
                "'; --@x.org", "ünï@cödé.org", "mo\u200b@example.org", "mo\u202e@example.org",
                "mo@example\uff0eorg", "rene\u0301@example.org"]
NASTY_TEXT = ["", " ", "\t", "=cmd|' /C calc'!A0", "x" * 3_000, "line\nbreak", "\x00", "NULL", "--help",
              "Mark [/bold] Up", "[link=https://evil.example/login]Click here[/link]", "\x1b[2J\x1b]0;owned\x07",
              "\x9b31m", "\u202eevil", "[bold", "a\\", "\r\roverwrite", ":smile:",
              "Mallory\nBcc: all@example.org", "carriage\rreturn", "para\u2028graph", "tab\there", "bell\x07"]
NASTY_NUMBERS = ["-5", "0", "abc", "1e9", "99999999999999999999", "3.5", "1" * 5000, "1e309", "nan", "-0"]
NASTY_CHOICES = ["xml", "TABLE", "json ", "", "withdrawn", "pending-reassignment", "closed", "admin", "cic"]
GOOD = ["MRE-1", "1", MENTOR, CIC, "BOS01", "AUS01", "2026-11-23", "3", "json", "csv", "a reason"]

FILE_CONTENTS = [
    b"",
    b"\xff\xfe\x00garbage in latin-1 \xe9\xe8",
    b"name,email,chapter,question\n\"unterminated,x@y.org,BOS01,Q\n",
    b"name,email,chapter,question\n" + b"A," + b"x" * 200_000 + b"@y.org,BOS01,Q\n",
    b'{"name": 1}\n{"broken": \n',
    b"email,name,chapter\nx@y.org,X,BOS01,extra,cells\n",
    b"MRE-1\nMRE-x\n\n-3\n",
    b"name,email,chapter,question\rAnn,ann@x.org,BOS01,Q\rBob,bob@x.org,BOS01,Q2\r",
    b'{"name": "A", "email": "a@x.org", "chapter": "BOS01", "question": "Q", "zip": ' + b"1" * 5000 + b"}\n",
    b'{"a": ' * 20_000 + b"1" + b"}" * 20_000 + b"\n",
    b"name,email,chapter,question,submitted_at\nA,a@x.org,BOS01,Q,9999-12-31\nB,b@x.org,BOS01,Q,0001-01-01\n",
    b"name,email,chapter,question\nMark [/bold] Up,m@x.org,BOS01,\x1b[2J [link=https://evil.example]x[/link]\n",
    b"name,email,chapter,question,email\nA,a@x.org,BOS01,Q,b@x.org\n",
    b"email,name,chapter,roles\nz@x.org,Z,BOS01,admin\n",
    b"[]\n",
    b"group,id,action,keeper,version\n1,MRE-1,keep,MRE-1,1\n1,MRE-2,withdraw,MRE-1,7\n",
]


def commands():
    """Every leaf command as its argv path, with its parameters."""
    # `demo` too: it must refuse the store, which a demo did not make
    return [(path, command.params) for path, command in leaf_commands()]


COMMANDS = commands()


GOOD_IDS = ["MRE-1", "2", "MRE-2"]
GOOD_EMAILS = [MENTOR, CIC, "mentor2@example.org", "far@example.org", "new.person@example.org"]
GOOD_DATES = ["2026-11-23", "2026-12-01", "12/24/2026"]
GOOD_NUMBERS = ["1", "3", "10"]
GOOD_CODES = ["BOS01", "AUS01", "BGR01", "D01", "R01"]
GOOD_TEXT = ["a reason", "Called the client"]
GOOD_CHOICES = ["json", "csv", "table", "withdrawn", "complete", "no_response", "email", "phone", "active",
                "inactive", "mentor", "cic", "chapter:BOS01", "district:D01"]


def pools_for(param) -> tuple[list, list]:
    """(good values, nasty values) for a parameter, judged by its name."""
    name = (param.name or "").lower()
    if "date" in name or name in ("from_", "until", "paused_on", "to", "from", "since"):
        return GOOD_DATES, NASTY_DATES
    if name in ("mre", "keep", "other") or name.endswith("_id"):
        return GOOD_IDS, NASTY_IDS
    if "email" in name or name in ("mentor", "actor", "direct_to", "admin", "user"):
        return GOOD_EMAILS, NASTY_EMAILS
    if name in ("limit", "minutes", "older_than", "max_direct_weekly", "requests", "window_days", "min_score"):
        return GOOD_NUMBERS, NASTY_NUMBERS
    if name in ("chapter", "district", "region", "scope"):
        return GOOD_CODES + GOOD_CHOICES[-2:], NASTY_TEXT + NASTY_CHOICES
    if name in ("fmt", "format", "status", "method", "role", "stage", "classification"):
        return GOOD_CHOICES, NASTY_CHOICES
    return GOOD_TEXT + GOOD_CODES, NASTY_TEXT


def value_for(param, draw, tmp_file) -> str:
    name = (param.name or "").lower()
    if "file" in name or name in ("bulk", "plan"):
        return tmp_file(draw(st.sampled_from(FILE_CONTENTS)))
    good, nasty = pools_for(param)
    return draw(st.sampled_from(good if draw(st.booleans()) else nasty))


@st.composite
def invocations(draw, tmp_file):
    path, params = draw(st.sampled_from(COMMANDS))
    argv = list(path)
    for param in params:
        if param.name in ("help",):
            continue
        is_option = getattr(param, "param_type_name", "") == "option"
        if is_option and not param.required and not draw(st.booleans()):
            continue
        if is_option:
            if getattr(param, "is_flag", False):
                argv.append(draw(st.sampled_from(param.opts + list(param.secondary_opts or []))))
                continue
            argv += [param.opts[0], value_for(param, draw, tmp_file)]
        elif param.required or draw(st.booleans()):
            argv.append(value_for(param, draw, tmp_file))
    actor = draw(st.sampled_from([ADMIN, CIC, MENTOR, ADMIN, CIC, MENTOR, None, "ghost@example.org", "not-an-email"]))
    return argv, actor


def test_no_command_ever_shows_a_traceback_or_changes_the_store_when_it_fails(world, tmp_path_factory, monkeypatch,
                                                                              backend, summary_line):
    folder = tmp_path_factory.mktemp("fuzzfiles")
    monkeypatch.chdir(tmp_path_factory.mktemp("fuzzcwd"))  # backups and other outputs land here
    made = {}

    def tmp_file(content: bytes) -> str:
        if content not in made:
            path = folder / f"input{len(made)}.txt"
            path.write_bytes(content)
            made[content] = str(path)
        return made[content]

    world.assigned(MENTOR)
    world.submit(email="second@x.com")
    url = world.url
    db = url if url.startswith("postgresql") else url.removeprefix("sqlite:///")

    def short(argv):
        return [a if len(a) < 60 else a[:40] + f"...({len(a)} chars)" for a in argv]

    chosen = fuzz_seed()
    if chosen is not None:
        summary_line(f"CLI fuzz seed ({backend}): {chosen} (replay with SCORE_FUZZ_SEED={chosen})")
    snapshots = Snapshots(url)  # every command keeps the schema: reflect it once
    # The store as the last example left it, once its checks passed: the next one starts from
    # it, so each example takes one snapshot, not two.
    known: dict = {}

    @settings(max_examples=EXAMPLES, deadline=None, derandomize=chosen is None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(invocations(tmp_file))
    def check(invocation):
        argv, actor = invocation
        counters.fuzz_examples += 1
        before = known.pop("store", None) or snapshots.take()
        ran = score(*argv, db=db, actor=actor, input="MRE-1\n")
        said = ran.stdout + ran.stderr
        assert "Traceback" not in said, (short(argv), said[-2000:])
        assert "unexpected error" not in said, (short(argv), said[-600:])
        assert ran.exit_code in (0, 1, 2, 3, 4), (short(argv), ran.exit_code, said[-500:])
        assert not OBEYED.search(ran.stderr), (short(argv), ran.stderr[-500:])  # messages never drive the terminal
        after = snapshots.take()
        if ran.exit_code != 0:
            assert after == before, (short(argv), ran.exit_code, said[-500:])
        known["store"] = after

    if chosen is not None:
        check = seed(chosen)(check)
    try:
        check()
    finally:
        snapshots.close()
