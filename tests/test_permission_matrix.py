"""The permission matrix: every role x every command x in and out of scope, on both backends.

What each case expects is read from the rulebook (`domain.commands` names the rule of each
command; `domain.access` and the transition table's `who` answer it for the actor); the test
only knows, for each command, how to prepare a target and type the command. A command without
an entry in the rulebook, or without a way here to try it, fails the test.
"""

from __future__ import annotations

import itertools
from datetime import date, timedelta
from dataclasses import dataclass, field

import typer

from score_cli.cli import app
from score_cli.domain import access
from score_cli.domain.access import Record, Relation
from score_cli.domain.commands import COMMANDS, WHO_IS_ACTING, needs
from score_cli.domain.workflow import TRANSITIONS
from score_cli.services.organisation import permissions
from score_cli.services.people import mentor_settings, volunteers
from score_cli.services.requests import assignment, mentoring, referrals
from score_cli.store.models import Chapter, District
from tests.helpers import Ran, leaf_commands, score
from tests.world import ADMIN, CIC, FAR, MENTOR, MENTOR2, RCIC

IN, OUT = "BOS01", "AUS01"  # the chapter the relations are in, and one far from it
_numbers = itertools.count(1)


# --- the people ------------------------------------------------------------------------


@dataclass
class Profile:
    name: str
    email: str | None  # None: no --as at all
    relation: Relation | None = None  # to the requests prepared in IN
    status: str = "active"


PROFILES = [
    Profile("admin", ADMIN),
    Profile("rcic of the district", RCIC),
    Profile("rcic of the region", "rcic.region@example.org"),
    Profile("cic", CIC),
    Profile("chapter manager", "manager@example.org"),
    Profile("membership chair", "chair@example.org"),
    Profile("owner", MENTOR, Relation.OWNER),
    Profile("accepted team member", MENTOR2, Relation.TEAM),
    Profile("pending team member", "pending@example.org", Relation.REFERRED),
    Profile("declined team member", "declined@example.org"),
    Profile("inactive volunteer", "inactive@example.org", status="inactive"),
    Profile("resigned volunteer", "resigned@example.org", status="resigned"),
    Profile("unknown e-mail", "nobody@example.org"),
    Profile("no actor", None),
]


def add_people(world) -> None:
    with world.store.reading() as session:
        region = session.get(District, session.get(Chapter, IN).district_code).region_code
    grant = permissions.Grant

    def add(email, name, classification=None, roles=()):
        volunteers.add(world.store, ADMIN, volunteers.NewVolunteer(
            email=email, name=name, chapter=IN, classification=classification, roles=list(roles)))

    add("rcic.region@example.org", "Rio Region", roles=[grant("rcic", "region", region)])
    add("manager@example.org", "Max Manager", roles=[grant("chapter_manager", "chapter", IN)])
    add("chair@example.org", "Cher Chair", roles=[grant("membership_chair", "chapter", IN)])
    for email in ("pending@example.org", "declined@example.org", "referee@example.org"):
        add(email, email.split("@")[0].title(), "certified")
    for email in (MENTOR, MENTOR2, FAR):  # room for the many requests prepared here
        mentor_settings.settings(world.store, ADMIN, email, mentor_settings.SettingsChange(capacity="500 per week"))
    for email, status in (("inactive@example.org", "inactive"), ("resigned@example.org", "resigned")):
        add(email, status.title(), "certified", roles=[grant("cic", "chapter", IN)])
        volunteers.set_status(world.store, ADMIN, email, status)


# --- the requests --------------------------------------------------------------------


def request_in(world, state: str, chapter: str = IN) -> int:
    """A request in `chapter` in `state`. In IN its owner is MENTOR, with MENTOR2 an accepted
    team member, pending@ a pending one and declined@ one who declined; in OUT, FAR owns it."""
    owner = MENTOR if chapter == IN else FAR
    coordinator = CIC if chapter == IN else ADMIN
    number = world.submit(chapter=chapter, email=f"client{next(_numbers)}@example.com")
    if state == "new":
        return number
    assignment.assign(world.store, coordinator, number, owner)
    if state == "assigned":
        return number
    mentoring.accept(world.store, owner, number)
    worker = owner
    if chapter == IN:
        referrals.refer(world.store, owner, number, MENTOR2, reason="second opinion")
        referrals.respond(world.store, MENTOR2, number, accept=True)
        referrals.refer(world.store, owner, number, "declined@example.org", reason="pricing")
        referrals.respond(world.store, "declined@example.org", number, accept=False, reason="too busy")
        referrals.refer(world.store, owner, number, "pending@example.org", reason="legal")
        worker = MENTOR2  # the session below is the team member's: its author and the owner may edit it
    if state in ("contacted", "in_progress"):
        mentoring.contact(world.store, owner, number, method="phone")
    if state == "in_progress":
        mentoring.add_session(world.store, worker, number, day="today", minutes=60, notes="first session")
    return number


def session_of(world, number: int) -> str:
    from sqlalchemy import select

    from score_cli.store.models import MentoringSession

    with world.store.reading() as session:
        return str(session.execute(select(MentoringSession.id).where(MentoringSession.request_id == number)).scalar())


# How to try each command on a target in `chapter`: (state of the request, argv builder).
REQUEST_COMMANDS = {
    "show": ("new", lambda w, n, c: ["show", f"MRE-{n}"]),
    "session list": ("in_progress", lambda w, n, c: ["session", "list", f"MRE-{n}"]),
    "note": ("new", lambda w, n, c: ["note", f"MRE-{n}", "called the client"]),
    "assign": ("new", lambda w, n, c: ["assign", f"MRE-{n}", MENTOR2 if c == IN else FAR]),
    "reassign": ("accepted", lambda w, n, c: ["reassign", f"MRE-{n}", "--to-queue", "--reason", "mentor left"]),
    "transfer-chapter": ("new", lambda w, n, c: ["transfer-chapter", f"MRE-{n}", OUT if c == IN else IN, "--reason", "moved"]),
    "withdraw": ("new", lambda w, n, c: ["withdraw", f"MRE-{n}", "--reason", "duplicate"]),
    "accept": ("assigned", lambda w, n, c: ["accept", f"MRE-{n}"]),
    "decline": ("assigned", lambda w, n, c: ["decline", f"MRE-{n}", "--reason", "too busy"]),
    "return": ("accepted", lambda w, n, c: ["return", f"MRE-{n}", "--reason", "out of my depth"]),
    "contact": ("accepted", lambda w, n, c: ["contact", f"MRE-{n}", "--method", "phone"]),
    "status": ("in_progress", lambda w, n, c: ["status", f"MRE-{n}", "complete"]),
    "refer": ("accepted", lambda w, n, c: ["refer", f"MRE-{n}", "referee@example.org", "--reason", "finance"]),
    "session add": ("accepted", lambda w, n, c: ["session", "add", f"MRE-{n}", "--date", "today", "--notes", "met"]),
    "session edit": ("in_progress", lambda w, n, c: ["session", "edit", f"MRE-{n}", session_of(w, n), "--minutes", "45"]),
    "referral accept": ("accepted", lambda w, n, c: ["referral", "accept", f"MRE-{n}"]),
    "referral decline": ("accepted", lambda w, n, c: ["referral", "decline", f"MRE-{n}", "--reason", "no time"]),
}

LISTINGS = {
    "queue list": ["queue", "list"],
    "duplicates find": ["duplicates", "find"],
    "notify list": ["notify", "list"],
    "mentors available": ["mentors", "available"],
    "mentors paused": ["mentors", "paused"],
    "volunteer list": ["volunteer", "list"],
    "notify waiting-clients": ["notify", "waiting-clients", "--older-than", "0", "--dry-run"],
    "triage": ["triage"],  # past its rule it stops, here, at "needs a terminal"
    **{f"report {name}": ["report", name] for name in (
        "not-assigned", "not-accepted", "not-contacted", "not-counseled", "conversion", "metrics", "orphaned",
        "mentor-activity", "paused-mentors", "capacity")},
}


def fresh_volunteer(world, chapter: str, classification: str | None = "certified") -> str:
    email = f"vol{next(_numbers)}@example.org"
    volunteers.add(world.store, ADMIN, volunteers.NewVolunteer(email=email, name="Val Volunteer", chapter=chapter,
                                                               classification=classification))
    return email


def directory_argv(world, command: str, chapter: str, tmp_path) -> list[str]:
    """A directory or client command aimed at a volunteer or client of `chapter`."""
    match command:
        case "volunteer show":
            return ["volunteer", "show", fresh_volunteer(world, chapter)]
        case "mentor settings":
            return ["mentor", "settings", fresh_volunteer(world, chapter), "--capacity", "2 per week"]
        case "pause":
            until = (date.today() + timedelta(days=30)).isoformat()
            return ["pause", fresh_volunteer(world, chapter), "--from", "today", "--until", until]
        case "volunteer add":
            return ["volunteer", "add", f"new{next(_numbers)}@example.org", "--name", "Nell New", "--chapter", chapter]
        case "volunteer import":
            path = tmp_path / f"volunteers{next(_numbers)}.csv"
            path.write_text(f"email,name,chapter\nimp{next(_numbers)}@example.org,Ida Import,{chapter}\n")
            return ["volunteer", "import", str(path)]
        case "volunteer set-status":
            return ["volunteer", "set-status", fresh_volunteer(world, chapter), "inactive"]
        case "volunteer grant":
            return ["volunteer", "grant", fresh_volunteer(world, chapter, None), "mentor"]
        case "volunteer revoke":
            return ["volunteer", "revoke", fresh_volunteer(world, chapter), "mentor"]
        case "client merge":
            first = f"keep{next(_numbers)}@example.com"
            second = f"other{next(_numbers)}@example.com"
            world.submit(chapter=chapter, email=first)
            world.submit(chapter=chapter, email=second)
            return ["client", "merge", first, second]
    raise AssertionError(f"no way to try {command}")


# --- what the rulebook expects ------------------------------------------------------------


def place(session_store, chapter: str) -> access.Place:
    with session_store.reading() as session:
        return permissions.place_of(session, chapter)


def allowed(actor: access.Actor, command: str, chapter: str, where: access.Place, relations: frozenset) -> bool:
    rule = needs(command)
    if rule.action is not None:
        return bool(relations & TRANSITIONS[rule.action].who)
    if rule.sees_request:
        return access.may_read(actor, Record.REQUESTS, where) or bool(relations & access.SEES_REQUEST)
    if rule.task is not None and rule.reads is not None:  # reading another's record, or changing it
        return access.may(actor, rule.task, where)
    if rule.task is not None:
        return access.may(actor, rule.task, where)
    return access.may_read(actor, rule.reads, where)


# Which of the mentors' relations a prepared request in IN already has, by its state.
RELATIONS_BY_STATE = {"new": frozenset(), "assigned": frozenset({Relation.OWNER})}


def relations_of(profile: Profile, actor: access.Actor, chapter: str, where: access.Place, state: str) -> frozenset:
    found = set()
    if access.may(actor, "request.coordinate", where):
        found.add(Relation.COORDINATOR)
    if chapter == IN and profile.relation in RELATIONS_BY_STATE.get(state, frozenset(Relation)):
        found.add(profile.relation)
    return frozenset(found)


@dataclass
class Tally:
    cases: int = 0
    wrong: list[str] = field(default_factory=list)


def try_case(tally: Tally, world, profile: Profile, command: str, argv: list[str], expected: bool | str) -> None:
    ran = score(*argv, db=world.url, actor=profile.email)
    if argv[0] == "triage" and ran.exit_code == 2 and "needs a terminal" in ran.stderr:
        ran = Ran(0, ran.stdout, ran.stderr)  # the rule let it through; the screen is tested elsewhere
    tally.cases += 1
    if expected is True and ran.exit_code != 0:
        tally.wrong.append(f"wrongly refused: {profile.name}: score {' '.join(argv)} -> {ran.exit_code} {ran.stderr.strip()}")
    elif expected is False and ran.exit_code != 1:
        tally.wrong.append(f"not refused: {profile.name}: score {' '.join(argv)} -> {ran.exit_code} {ran.stderr.strip()}")
    elif expected == "no actor" and (ran.exit_code != 2 or WHO_IS_ACTING not in ran.stderr):
        tally.wrong.append(f"ran without an actor: score {' '.join(argv)} -> {ran.exit_code}")
    elif expected == "unknown" and ran.exit_code != 3:
        tally.wrong.append(f"unknown actor not refused: score {' '.join(argv)} -> {ran.exit_code}")


def test_every_command_is_in_the_rulebook_and_tried_here():
    tried = set(REQUEST_COMMANDS) | set(LISTINGS) | {
        "volunteer show", "mentor settings", "pause", "volunteer add", "volunteer import", "volunteer set-status",
        "volunteer grant", "volunteer revoke", "client merge",
        # PostgreSQL only (exit 2 on SQLite): tried as each role in tests/store/test_logins.py
        "db login add", "db login list", "db login remove"}
    for command in (" ".join(path) for path, _ in leaf_commands()):
        assert command in COMMANDS, f"`score {command}` has no entry in the rulebook (domain/commands.py)"
        if COMMANDS[command].actor:
            assert command in tried, f"the permission matrix does not try `score {command}`"


def test_the_permission_matrix(world, tmp_path, backend, summary_line):
    add_people(world)
    tally = Tally()
    places = {chapter: place(world.store, chapter) for chapter in (IN, OUT)}
    actors = {}
    for profile in PROFILES:
        if profile.email and profile.status == "active" and profile.email != "nobody@example.org":
            with world.store.reading() as session:
                actors[profile.name] = permissions.load_actor(session, profile.email)

    def expectation(profile: Profile, command: str, chapter: str, state: str = ""):
        if profile.email is None:
            return "no actor"
        if profile.email == "nobody@example.org":
            return "unknown"
        if profile.status != "active":
            return False
        actor = actors[profile.name]
        where = places[chapter]
        return allowed(actor, command, chapter, where, relations_of(profile, actor, chapter, where, state))

    for command, (state, argv_of) in REQUEST_COMMANDS.items():
        for chapter in (IN, OUT):
            shared = None  # a target for those to be refused: a refusal changes nothing
            for profile in PROFILES:
                expected = expectation(profile, command, chapter, state)
                if expected is True or shared is None:
                    number = request_in(world, state, chapter)
                    if expected is not True:
                        shared = number
                else:
                    number = shared
                try_case(tally, world, profile, command, argv_of(world, number, chapter), expected)

    for command, argv in LISTINGS.items():
        for chapter in (IN, OUT):
            for profile in PROFILES:
                try_case(tally, world, profile, command, [*argv, "--chapter", chapter],
                         expectation(profile, command, chapter))

    for command in ("volunteer show", "mentor settings", "pause", "volunteer add", "volunteer import",
                    "volunteer set-status", "volunteer grant", "volunteer revoke", "client merge"):
        for chapter in (IN, OUT):
            for profile in PROFILES:
                try_case(tally, world, profile, command, directory_argv(world, command, chapter, tmp_path),
                         expectation(profile, command, chapter))

    summary_line(f"permission matrix ({backend}): {tally.cases} cases, {len(tally.wrong)} wrong")
    assert tally.cases > 900
    assert not tally.wrong, "\n".join(tally.wrong[:40])


def test_a_volunteer_may_always_see_and_change_their_own_record(world):
    for argv in (["volunteer", "show", MENTOR], ["mentor", "settings", MENTOR],
                 ["mentor", "settings", MENTOR, "--capacity", "2 per week"],
                 ["queue", "list", "--mine"], ["report", "not-contacted", "--mine"]):
        ran = score(*argv, db=world.url, actor=MENTOR)
        assert ran.exit_code == 0, (argv, ran.stderr)


def test_without_a_scope_each_listing_shows_the_actors_own(world):
    """The default scope is the rulebook's, the same in every command: a CIC sees their chapter."""
    number = world.submit(chapter=IN)
    elsewhere = world.submit(chapter=OUT, email="far.client@example.com")
    rows = score("queue", "list", "--format", "json", db=world.url, actor=CIC).json()
    ids = {r["id"] for r in rows}
    assert f"MRE-{number}" in ids and f"MRE-{elsewhere}" not in ids
    rows = score("report", "not-assigned", "--format", "json", db=world.url, actor=CIC).json()
    assert {r["id"] for r in rows} == {f"MRE-{number}"}
    assert score("queue", "list", "--format", "json", db=world.url, actor=MENTOR).json() == []


def test_a_command_missing_from_the_rulebook_needs_an_actor():
    assert needs("some future command").actor


def test_the_commands_that_run_without_an_actor_do(world):
    for argv in (["chapter", "list"], ["sweep", "--dry-run"], ["db", "check"]):
        ran = score(*argv, db=world.url)
        assert WHO_IS_ACTING not in ran.stderr and ran.exit_code == 0, (argv, ran.stderr)


def test_help_needs_no_actor():
    assert score("queue", "list", "--help").exit_code == 0
    assert typer.main.get_command(app) is not None
