"""A login per person on a shared PostgreSQL store: the database itself limits what each sees.

One small store, built once for the module on the suite's throwaway PostgreSQL server: each
person gets their own login, and plain SQL as that login must return exactly the rows the
rulebook's policy allows (evaluated in Python over the same store, as the owner).
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from score_cli.domain import access
from score_cli.domain.access import READERS, Record
from score_cli.domain.vocabulary import Role
from score_cli.services.admin import logins
from score_cli.services.organisation import access as relations
from score_cli.services.organisation import permissions
from score_cli.services.people import volunteers
from score_cli.services.requests import mentoring, referrals
from score_cli.store.db import Store
from score_cli.store.models import Chapter, District
from score_cli.store.security import GROUP
from tests.helpers import postgres_database, score
from tests.world import ADMIN, CIC, FAR, MENTOR, MENTOR2, RCIC, World, build

PREFIX = f"t{os.getpid()}_"  # login roles belong to the whole server: one set per test run
PEOPLE = {
    "admin": ADMIN, "rcic of the district": RCIC, "rcic of the region": "rcic.region@example.org",
    "cic": CIC, "chapter manager": "manager@example.org", "membership chair": "chair@example.org",
    "mentor owner": MENTOR, "team member": MENTOR2, "referred": "pending@example.org",
    "declined referral": "declined@example.org", "mentor elsewhere": FAR,
}
CHILD_TABLES = {"assignment": "mentor_id", "case_team_member": "volunteer_id", "contact_attempt": "volunteer_id",
                "mentoring_session": "mentor_id", "note": "author_id", "chapter_transfer": "by_id"}


@dataclass
class Shared:
    store: Store
    url: str
    login: dict  # person -> their login's name
    requests: dict  # what each prepared request is -> its number

    def url_of(self, person: str) -> str:
        return make_url(self.url).set(username=self.login[person]).render_as_string(hide_password=False)

    def rows(self, person: str, sql: str, **params) -> set:
        engine = create_engine(self.url_of(person))
        try:
            with engine.connect() as conn:
                return set(conn.execute(text(sql), params).scalars())
        finally:
            engine.dispose()


def _prepare(world, store: Store) -> dict:
    with store.reading() as session:
        district = session.get(Chapter, "BOS01").district_code
        region = session.get(District, district).region_code
        sibling = session.execute(text("SELECT code FROM chapter WHERE district_code = :d AND code <> 'BOS01'"
                                       " ORDER BY code LIMIT 1"), {"d": district}).scalar()
        quiet = session.execute(text("SELECT code FROM chapter WHERE district_code = :d AND code NOT IN ('BOS01', :s)"
                                     " ORDER BY code LIMIT 1"), {"d": district, "s": sibling}).scalar()
        cousin = session.execute(text("SELECT c.code FROM chapter c JOIN district d ON d.code = c.district_code"
                                      " WHERE d.region_code = :r AND d.code <> :d ORDER BY c.code LIMIT 1"),
                                 {"r": region, "d": district}).scalar()
    with store.transaction() as session:  # its requests come in through the National Intake Queue
        session.execute(text("UPDATE chapter SET live = false WHERE code = :c"), {"c": quiet})
    grant = permissions.Grant

    def add(email, name, classification=None, roles=()):
        volunteers.add(store, ADMIN, volunteers.NewVolunteer(email=email, name=name, chapter="BOS01",
                                                             classification=classification, roles=list(roles)))

    add("rcic.region@example.org", "Rio Region", roles=[grant("rcic", "region", region)])
    add("manager@example.org", "Max Manager", roles=[grant("chapter_manager", "chapter", "BOS01")])
    add("chair@example.org", "Cher Chair", roles=[grant("membership_chair", "chapter", "BOS01")])
    for email in ("pending@example.org", "declined@example.org", "leaving@example.org"):
        add(email, email.split("@")[0].title(), "certified")

    requests = {"new here": world.submit(email="new@example.com"),
                "in the district": world.submit(chapter=sibling, email="sibling@example.com"),
                "national queue": world.submit(chapter=quiet, email="quiet@example.com"),
                "in the region": world.submit(chapter=cousin, email="cousin@example.com"),
                "far": world.assigned(mentor=FAR, chapter="AUS01", by=ADMIN, email="far@example.com")}
    mentoring.accept(store, FAR, requests["far"])
    worked = requests["worked"] = world.assigned(email="worked@example.com")
    mentoring.accept(store, MENTOR, worked)
    referrals.refer(store, MENTOR, worked, MENTOR2, reason="second opinion")
    referrals.respond(store, MENTOR2, worked, accept=True)
    referrals.refer(store, MENTOR, worked, "declined@example.org", reason="pricing")
    referrals.respond(store, "declined@example.org", worked, accept=False, reason="too busy")
    referrals.refer(store, MENTOR, worked, "pending@example.org", reason="legal")
    mentoring.contact(store, MENTOR, worked, method="phone")
    mentoring.add_session(store, MENTOR2, worked, day="today", minutes=60, notes="first session")
    requests["assigned"] = world.assigned(email="assigned@example.com")
    return requests


@pytest.fixture(scope="module")
def shared(request):
    store_url, drop = postgres_database(request, f"score_logins_{os.getpid()}")
    store = Store(store_url)
    world = build(store, store_url)
    requests = _prepare(world, store)
    login = {}
    for person, email in {**PEOPLE, "leaving": "leaving@example.org"}.items():
        login[person] = logins.add(store, ADMIN, email, PREFIX + person.replace(" ", "_"))["login"]
    yield Shared(store, store_url, login, requests)
    with store.engine.begin() as conn:  # login roles outlive the database: the server keeps them
        conn.execute(text("DROP OWNED BY " + ", ".join(f'"{role}"' for role in login.values())))
    store.close()
    drop()
    with create_engine(store_url.rsplit("/", 1)[0] + "/postgres").begin() as conn:
        for role in login.values():
            conn.execute(text(f'DROP ROLE IF EXISTS "{role}"'))


def _allowed(shared: Shared, person: str) -> dict[str, set]:
    """What the rulebook lets `person` see, evaluated in Python over the store as its owner."""
    with shared.store.rows() as conn:
        actor = permissions.load_actor(conn, PEOPLE[person])
        seen = set()
        for number in conn.execute(text("SELECT id FROM mentoring_request")).scalars():
            if relations.may_see(conn, actor, relations.read_request(conn, number)):
                seen.add(number)
        messages = {n for n in conn.execute(text("SELECT id FROM mentoring_request")).scalars()
                    if access.may_read(actor, Record.MESSAGES, permissions.place_of(
                        conn, relations.read_request(conn, n).chapter_code))}

        def ids(sql: str, **params) -> set:
            return set(conn.execute(text(sql), params).scalars())

        clients = ids("SELECT client_id FROM mentoring_request WHERE id = ANY(:seen)", seen=list(seen))
        allowed = {
            "mentoring_request": seen,
            "client": clients,
            "client_email": ids("SELECT id FROM client_email WHERE client_id = ANY(:c)", c=list(clients)),
            # history: the requests' events, and those the login wrote itself
            "audit_event": ids("SELECT id FROM audit_event WHERE request_id IS NOT NULL AND (request_id = ANY(:seen)"
                               " OR login = :login)", seen=list(seen), login=shared.login[person]),
            "outbox_message": ids("SELECT id FROM outbox_message WHERE request_id IS NOT NULL AND"
                                  " (request_id = ANY(:r) OR login = :login)", r=list(seen | messages),
                                  login=shared.login[person]),
        }
        for table, own in CHILD_TABLES.items():  # a mentor's own rows stay theirs after they hand back
            allowed[table] = ids(f"SELECT id FROM {table} WHERE request_id = ANY(:seen) OR {own} = :me",
                                 seen=list(seen), me=actor.id)
    return allowed


@pytest.mark.parametrize("person", list(PEOPLE))
def test_plain_sql_as_each_login_returns_exactly_what_the_policy_allows(shared, person):
    allowed = _allowed(shared, person)
    for table, expected in allowed.items():
        where = " WHERE request_id IS NOT NULL" if table in ("audit_event", "outbox_message") else ""
        got = shared.rows(person, f"SELECT id FROM {table}{where}")
        assert got == expected, (person, table, sorted(got ^ expected))


def test_the_logins_see_what_each_role_should(shared):
    """The same, as a person would check it: by whose requests each login sees."""
    r = shared.requests
    everything = set(r.values())
    seen = {person: shared.rows(person, "SELECT id FROM mentoring_request") & everything for person in PEOPLE}
    assert seen["admin"] == everything
    # a CIC also sees the National Intake Queue of their district's chapters that are not live
    assert seen["cic"] == {r["new here"], r["worked"], r["assigned"], r["national queue"]}
    assert seen["chapter manager"] == {r["new here"], r["worked"], r["assigned"]}
    assert seen["rcic of the district"] == {r["new here"], r["worked"], r["assigned"], r["in the district"],
                                            r["national queue"]}
    assert seen["rcic of the region"] == everything - {r["far"]}
    assert seen["membership chair"] == set() and seen["declined referral"] == set()
    assert seen["mentor owner"] == {r["worked"], r["assigned"]}
    assert seen["team member"] == seen["referred"] == {r["worked"]}
    assert seen["mentor elsewhere"] == {r["far"]}
    assert shared.rows("membership chair", "SELECT id FROM client") == set()
    assert shared.rows("mentor elsewhere", "SELECT email FROM client_email") == {"far@example.com"}


def test_the_policies_name_the_rulebooks_readers(shared):
    """The roles in the policies are READERS' (generated from it, so they cannot drift)."""
    with shared.store.rows() as conn:
        policies = dict(((table, name), qual) for table, name, qual in conn.execute(text(
            "SELECT tablename, policyname, qual FROM pg_policies WHERE policyname = 'score_read'")))
    for table, record in (("mentoring_request", Record.REQUESTS), ("outbox_message", Record.MESSAGES),
                          ("audit_event", Record.VOLUNTEERS)):
        qual = policies[(table, "score_read")]
        listed = {role for role in Role if f"{{{role}," in qual or f",{role}," in qual or f",{role}}}" in qual
                  or f"{{{role}}}" in qual}
        assert listed >= set(READERS[record]), (table, qual)
        assert "{" + ",".join(sorted(READERS[record])) + "}" in qual, (table, qual)


def test_default_login_names_need_no_quotes():
    assert logins.default_login("Alice.Smith@Example.org") == "alice_smith_example_org"
    assert logins.default_login("9lives@cats.org") == "_9lives_cats_org"


def test_a_mentors_update_of_another_mentors_request_changes_no_row(shared):
    worked = shared.requests["worked"]
    for person, changed in (("mentor elsewhere", 0), ("membership chair", 0), ("mentor owner", 1)):
        engine = create_engine(shared.url_of(person))
        try:
            with engine.connect() as conn:
                done = conn.execute(text("UPDATE mentoring_request SET question = 'mine now' WHERE id = :n"),
                                    {"n": worked})
                assert done.rowcount == changed, person
                conn.rollback()
        finally:
            engine.dispose()


def test_a_login_cannot_grant_itself_a_role(shared):
    engine = create_engine(shared.url_of("mentor owner"))
    try:
        with engine.connect() as conn, pytest.raises(Exception, match="row-level security"):
            conn.execute(text("INSERT INTO volunteer_role (volunteer_id, role, scope_kind, scope_code)"
                              " SELECT id, 'admin', 'national', '' FROM volunteer WHERE email = :e"), {"e": MENTOR})
    finally:
        engine.dispose()


def test_the_login_is_the_actor_and_as_cannot_name_another(shared):
    worked = shared.requests["worked"]
    ran = score("note", f"MRE-{worked}", "called the client", db=shared.url_of("mentor owner"))
    assert ran.exit_code == 0, ran.stderr
    spoofed = score("note", f"MRE-{worked}", "it was me", db=shared.url_of("mentor elsewhere"), actor=MENTOR)
    assert spoofed.exit_code == 1 and "only on an admin's login" in spoofed.stderr
    assert score("queue", "list", db=shared.url_of("cic"), actor=ADMIN).exit_code == 1
    ran = score("note", f"MRE-{worked}", "asked by the CIC", db=shared.url_of("admin"), actor=CIC)
    assert ran.exit_code == 0, ran.stderr
    with shared.store.rows() as conn:
        notes = conn.execute(text("SELECT actor, login FROM audit_event WHERE request_id = :n AND action = 'note'"
                                  " ORDER BY id"), {"n": worked}).all()
    assert [tuple(n) for n in notes[-2:]] == [(MENTOR, shared.login["mentor owner"]),
                                              (f"{ADMIN} as {CIC}", shared.login["admin"])]


def test_a_login_made_for_another_store_on_the_server_is_no_one_here(shared):
    # logins belong to the whole server: one made for another store reads nothing here, and
    # `--as` must not seem to work with it (it listed an empty queue)
    stray = f"{PREFIX}elsewhere"
    with shared.store.engine.begin() as conn:
        conn.execute(text(f'CREATE ROLE "{stray}" LOGIN IN ROLE {GROUP}'))
    try:
        url = make_url(shared.url).set(username=stray).render_as_string(hide_password=False)
        ran = score("queue", "list", "--chapter", "BOS01", db=url, actor=ADMIN)
        assert ran.exit_code == 1, ran.stdout
        assert f"connected as {stray}, a login no volunteer of this store has" in ran.stderr
        assert score("queue", "list", "--chapter", "BOS01", db=shared.url, actor=ADMIN).exit_code == 0  # the owner
    finally:
        with shared.store.engine.begin() as conn:
            conn.execute(text(f'DROP ROLE "{stray}"'))


def test_each_login_runs_a_days_commands(shared):
    new = shared.requests["new here"]

    def ok(person, *argv):
        ran = score(*argv, db=shared.url_of(person))
        assert ran.exit_code == 0, (person, argv, ran.stderr)
        return ran

    queue = ok("cic", "queue", "list", "--format", "json").json()
    assert f"MRE-{new}" in {row["id"] for row in queue}
    ok("cic", "assign", f"MRE-{new}", MENTOR2)
    ok("team member", "accept", f"MRE-{new}")
    ok("team member", "contact", f"MRE-{new}", "--method", "email")
    ok("team member", "show", f"MRE-{new}")
    ok("team member", "return", f"MRE-{new}", "--reason", "moving away")
    assert ok("rcic of the district", "report", "not-assigned", "--format", "json").json()
    ok("chapter manager", "queue", "list")
    ok("membership chair", "volunteer", "list")
    ok("admin", "report", "metrics", "--national")
    hidden = score("show", f"MRE-{new}", db=shared.url_of("mentor elsewhere"))  # for that login it is not there
    assert hidden.exit_code == 3 and f"no request MRE-{new}" in hidden.stderr


def test_a_resigned_volunteers_login_cannot_connect(shared):
    assert shared.rows("leaving", "SELECT 1") == {1}
    ran = score("volunteer", "set-status", "leaving@example.org", "resigned", db=shared.url_of("chapter manager"))
    assert ran.exit_code == 0, ran.stderr
    with pytest.raises(OperationalError, match="not permitted to log in"):
        shared.rows("leaving", "SELECT 1")
    listed = {row["email"]: row for row in logins.listing(shared.store, ADMIN)}
    assert listed["leaving@example.org"]["may_connect"] is False
    assert listed[MENTOR]["may_connect"] is True


def test_only_an_admin_connected_as_the_owner_manages_logins(shared):
    assert score("db", "login", "add", "sme@example.org", db=shared.url, actor=CIC).exit_code == 1
    as_login = score("db", "login", "add", "sme@example.org", db=shared.url_of("admin"))
    assert as_login.exit_code == 1 and "store's owner" in as_login.stderr
    taken = score("db", "login", "add", "sme@example.org", "--role", shared.login["cic"], db=shared.url, actor=ADMIN)
    assert taken.exit_code == 4 and "already exists" in taken.stderr
    bad = score("db", "login", "add", "sme@example.org", "--role", "Robert'); DROP", db=shared.url, actor=ADMIN)
    assert bad.exit_code == 2
    role = PREFIX + "sme"
    added = score("db", "login", "add", "sme@example.org", "--role", role, db=shared.url, actor=ADMIN)
    assert added.exit_code == 0 and "\\password" in added.stdout
    assert score("db", "login", "remove", "sme@example.org", db=shared.url, actor=ADMIN).exit_code == 0
    with shared.store.rows() as conn:
        assert conn.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": role}).first() is None


def test_db_check_notices_a_policy_gone(shared):
    assert score("db", "check", db=shared.url).exit_code == 0
    with shared.store.engine.begin() as conn:
        conn.execute(text("DROP POLICY score_read ON client"))
    try:
        ran = score("db", "check", "--format", "json", db=shared.url)
        assert ran.exit_code == 1 and "policy score_read on client" in ran.stdout
    finally:
        assert score("db", "upgrade", db=shared.url).exit_code == 0
    assert score("db", "check", db=shared.url).exit_code == 0


def test_logins_are_for_postgresql_only(sqlite_template, tmp_path):
    path = tmp_path / "score.db"
    shutil.copy2(sqlite_template, path)
    ran = score("db", "login", "list", db=str(path), actor=ADMIN)
    assert ran.exit_code == 2 and "PostgreSQL" in ran.stderr and len(ran.stderr.strip().splitlines()) == 1


def test_a_client_with_no_request_is_seen_only_by_those_who_take_requests_in(shared):
    with shared.store.engine.begin() as conn:
        orphan = conn.execute(text("INSERT INTO client (name, created_at) VALUES ('Otto Orphan', now())"
                                   " RETURNING id")).scalar()
    try:
        seen = {person: orphan in shared.rows(person, "SELECT id FROM client") for person in PEOPLE}
        assert {person for person, yes in seen.items() if yes} == {
            "admin", "rcic of the district", "rcic of the region", "cic", "chapter manager"}
    finally:
        with shared.store.engine.begin() as conn:
            conn.execute(text("DELETE FROM client WHERE id = :id"), {"id": orphan})


def test_a_logins_capacity_check_counts_the_assignments_it_may_not_see(shared):
    # FAR (Austin) took a CIC assignment this week on a request the Boston district's RCIC may
    # not read; with room for one a week and serving outside their area, they have none left
    assert shared.requests["far"] not in shared.rows("rcic of the district", "SELECT id FROM mentoring_request")
    sibling = f"MRE-{shared.requests['in the district']}"
    with shared.store.engine.begin() as conn:
        before = conn.execute(text("SELECT capacity_assignments, capacity_weeks, capacity_text,"
                                   " serve_outside_local_area FROM volunteer WHERE email = :e"), {"e": FAR}).one()
        conn.execute(text("UPDATE volunteer SET capacity_assignments = 1, capacity_weeks = 1,"
                          " capacity_text = '1 per week', serve_outside_local_area = true WHERE email = :e"),
                     {"e": FAR})
    try:
        login = shared.url_of("rcic of the district")
        suggested = score("assign", sibling, "--suggest", "--limit", "100", "--format", "json", db=login)
        assert suggested.exit_code == 0, suggested.stderr
        assert FAR not in {row["email"] for row in suggested.json()}
        refused = score("assign", sibling, FAR, db=login)
        assert refused.exit_code == 1 and "capacity" in refused.stderr, refused.stderr
    finally:
        with shared.store.engine.begin() as conn:
            conn.execute(text("UPDATE volunteer SET capacity_assignments = :a, capacity_weeks = :w,"
                              " capacity_text = :t, serve_outside_local_area = :o WHERE email = :e"),
                         dict(a=before[0], w=before[1], t=before[2], o=before[3], e=FAR))


def test_a_cics_login_takes_in_a_returning_client_whose_requests_it_may_not_see(shared, tmp_path):
    # far@example.com wrote before to Austin, which Boston's CIC may not read: the new request
    # joins that client, typed in or imported, instead of the e-mail being refused as taken
    far_client = "SELECT client_id FROM mentoring_request WHERE id = :n"
    with shared.store.engine.connect() as conn:
        client = conn.execute(text(far_client), {"n": shared.requests["far"]}).scalar()
    assert client not in shared.rows("cic", "SELECT id FROM client")
    login = shared.url_of("cic")
    typed = score("intake", "submit", "--name", "Far Away", "--email", "far@example.com", "--chapter", "BOS01",
                  "--question", "Moving the shop to Boston", "--phone", "617-555-0100", "--format", "json", db=login)
    assert typed.exit_code == 0, typed.stderr
    export = tmp_path / "export.csv"
    export.write_text("name,email,chapter,question\nFar Away,far@example.com,BOS01,A second shop\n")
    imported = score("intake", "import", str(export), "--format", "json", db=login)
    assert imported.exit_code == 0, imported.stderr
    with shared.store.engine.connect() as conn:
        taken_in = conn.execute(text("SELECT client_id, client_was_known FROM mentoring_request"
                                     " WHERE chapter_code = 'BOS01' AND question IN"
                                     " ('Moving the shop to Boston', 'A second shop')")).all()
        assert sorted(taken_in) == [(client, True), (client, True)]
        assert conn.execute(text("SELECT count(*) FROM client_email WHERE email = 'far@example.com'")).scalar() == 1
    assert client in shared.rows("cic", "SELECT id FROM client")  # theirs to read now, through the new request


def test_a_cics_login_transfers_a_request_to_a_chapter_beyond_its_sight(shared):
    cic, mentor = shared.url_of("cic"), shared.url_of("mentor owner")
    taken = score("intake", "submit", "--name", "Moving Out", "--email", "moving@example.com", "--chapter", "BOS01",
                  "--question", "Opening in Austin", "--format", "json", db=cic)
    assert taken.exit_code == 0, taken.stderr
    number = shared.rows("cic", "SELECT id FROM mentoring_request WHERE question = 'Opening in Austin'").pop()
    # a mentor's login may not move it through the database's own function either
    assert shared.rows("mentor owner", "SELECT score_move_request(:n, 'AUS01', 'AUS01')", n=number) == {None}
    assert score("transfer-chapter", f"MRE-{number}", "AUS01", "--reason", "x", db=mentor).exit_code == 3
    moved = score("transfer-chapter", f"MRE-{number}", "AUS01", "--reason", "the client moved to Austin", db=cic)
    assert moved.exit_code == 0, moved.stderr
    with shared.store.engine.connect() as conn:
        assert conn.execute(text("SELECT chapter_code, queue FROM mentoring_request WHERE id = :n"),
                            {"n": number}).one() == ("AUS01", "AUS01")
        assert conn.execute(text("SELECT actor FROM audit_event WHERE request_id = :n AND action = 'transfer_chapter'"),
                            {"n": number}).scalar() == CIC
    assert number not in shared.rows("cic", "SELECT id FROM mentoring_request")  # Austin's now


def test_a_logins_mentor_activity_counts_the_mentors_work_it_may_not_see(shared):
    # a Boston mentor given an Austin request, which the Boston district's RCIC may not read:
    # their activity and open caseload still count it, as they do for the owner acting as the RCIC
    world = World(shared.store, shared.url)
    serving = "SELECT serve_outside_local_area FROM volunteer WHERE email = :e"
    with shared.store.engine.begin() as conn:
        before = conn.execute(text(serving), {"e": MENTOR2}).scalar()
        conn.execute(text("UPDATE volunteer SET serve_outside_local_area = true WHERE email = :e"), {"e": MENTOR2})
    try:
        elsewhere = world.assigned(mentor=MENTOR2, chapter="AUS01", by=ADMIN, email="austin.mentee@example.com")
    finally:
        with shared.store.engine.begin() as conn:
            conn.execute(text("UPDATE volunteer SET serve_outside_local_area = :b WHERE email = :e"),
                         {"b": before, "e": MENTOR2})
    assert elsewhere not in shared.rows("rcic of the district", "SELECT id FROM mentoring_request")

    def activity(**where) -> dict:
        ran = score("report", "mentor-activity", "--format", "json", **where)
        assert ran.exit_code == 0, ran.stderr
        return {row["email"]: row for row in ran.json()}[MENTOR2]

    by_login = activity(db=shared.url_of("rcic of the district"))
    assert by_login == activity(db=shared.url, actor=RCIC)
    assert by_login["open_now"] >= 1 and by_login["cic_assignments"] >= 1
