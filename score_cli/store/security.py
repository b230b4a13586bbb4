"""PostgreSQL's own enforcement of who sees and changes what, for a store shared by logins.

Each person connects with their own login role, a member of one group role (`GROUP`); the
table `score_login` says which volunteer each login is. `SECURITY DEFINER` functions owned by
the store's owner answer "which volunteer is connected" and "which chapters do their grants
reach", and row-level security policies for the group role limit every table holding client or
request data to what `domain.access` lets that volunteer see. The store's owner (migrations,
cron's `sweep` and `notify send`, `db init`) is not limited.

The SQL is generated from the rulebook's data (`READERS`, `TASKS`, the team states that relate a
mentor to a request), so the policies and the commands cannot drift apart; `expected_policies`
is what `db check` looks for.
"""

from __future__ import annotations

from dataclasses import dataclass

from score_cli.domain.access import NATIONAL_QUEUE_READERS, READERS, SEES_REQUEST, TASKS, TEAM_RELATION, Record
from score_cli.domain.errors import Invalid
from score_cli.domain.vocabulary import Role, ScopeKind, VolunteerStatus

GROUP = "score_users"  # the group role every person's login belongs to

# A case team member whose latest answer is one of these sees the request (as `access.relations`).
TEAM_STATES = tuple(sorted(state for state, relation in TEAM_RELATION.items() if relation in SEES_REQUEST))


def _array(values) -> str:
    return "'{" + ",".join(sorted(str(v) for v in values)) + "}'::text[]"


def _chapters(roles) -> str:
    """The chapters where the connected volunteer holds one of `roles` (evaluated once per statement)."""
    return f"((SELECT score_chapters({_array(roles)}))::text[])"  # the cast: an array, not a subquery


ME = "(SELECT score_volunteer())"


def _seen(table: str, column: str = "request_id", by: str = "id") -> str:
    """The row's request is one the connected volunteer sees (the requests' own policy limits the
    subquery). Correlated, so the planner may probe the request by its key for a few rows or hash
    all seen requests for many; `x IN (SELECT ...)` fixed it to hashing, whose cost, counted
    again for each probe, drove plans with few rows to scan whole tables."""
    return f"EXISTS (SELECT 1 FROM mentoring_request seen WHERE seen.{by} = {table}.{column})"


_MANAGES = TASKS["volunteer.manage"].roles
_SETTINGS = TASKS["mentor.settings"].roles | _MANAGES


@dataclass(frozen=True)
class Rules:
    """One table's policies for the group role: what it may read, insert, update and delete."""

    read: str
    insert: str | None = None  # None: the group may not insert
    update: str | None = None  # rows it may update (any new values: a mentor's `return` drops the request)
    delete: str | None = None


def _by_request(table: str, own_column: str | None) -> Rules:
    seen = _seen(table)
    if own_column:  # one's own rows stay visible after one gives the request back
        seen = f"({seen} OR {own_column} = {ME})"
    return Rules(read=seen, insert=f"{ME} IS NOT NULL", update=seen, delete=seen)


def _client_seen(table: str, column: str) -> str:
    """A client one sees: one of a request one sees, or one with no request yet, which only those
    who take requests in see (a coordinator's intake). Stated on the row's own client id rather
    than through the clients' policy, so that reading one client's e-mails looks up one client."""
    return (f"({_seen(table, column, by='client_id')} OR (score_client_unused({table}.{column})"
            f" AND cardinality({_chapters(READERS[Record.REQUESTS])}) > 0))")


def table_rules() -> dict[str, Rules]:
    requests = (f"(chapter_code = ANY {_chapters(READERS[Record.REQUESTS])}"
                f" OR chapter_code = ANY ((SELECT score_national_queue_chapters())::text[])"
                f" OR id = ANY ((SELECT score_my_requests())::integer[]))")
    client, email = _client_seen("client", "id"), _client_seen("client_email", "client_id")
    messages = (f"(request_id IN (SELECT id FROM mentoring_request WHERE chapter_code = ANY"
                f" {_chapters(READERS[Record.MESSAGES])})"
                f" OR (request_id IS NULL AND score_holds({_array(READERS[Record.MESSAGES])}, '{ScopeKind.NATIONAL}', '')))")
    managed = f"chapter_code = ANY {_chapters(_MANAGES)}"
    settings = f"(id = {ME} OR chapter_code = ANY {_chapters(_SETTINGS)})"
    expertise = (f"(volunteer_id = {ME} OR volunteer_id IN (SELECT id FROM volunteer WHERE chapter_code = ANY"
                 f" {_chapters(_SETTINGS)}))")
    grants = (f"(CASE role WHEN '{Role.MENTOR}' THEN volunteer_id IN (SELECT id FROM volunteer WHERE {managed})"
              f" WHEN '{Role.CIC}' THEN score_holds({_array(TASKS['role.grant.cic'].roles)}, scope_kind, scope_code)"
              f" ELSE score_holds({_array(TASKS['role.grant'].roles)}, '{ScopeKind.NATIONAL}', '') END)")
    audit = (f"({_seen('audit_event')} OR login = session_user::text"
             f" OR (request_id IS NULL AND (volunteer_id = {ME} OR volunteer_id IN (SELECT id FROM volunteer"
             f" WHERE chapter_code = ANY {_chapters(READERS[Record.VOLUNTEERS])}))))")
    anyone = f"{ME} IS NOT NULL"
    return {
        "mentoring_request": Rules(read=requests, insert=f"chapter_code = ANY {_chapters(READERS[Record.REQUESTS])}",
                                   update=requests, delete=requests),
        "client": Rules(read=client, insert=anyone, update=client, delete=client),
        "client_email": Rules(read=email, insert=anyone, update=email, delete=email),
        "assignment": _by_request("assignment", "mentor_id"),
        "case_team_member": _by_request("case_team_member", "volunteer_id"),
        "contact_attempt": _by_request("contact_attempt", "volunteer_id"),
        "mentoring_session": _by_request("mentoring_session", "mentor_id"),
        "note": _by_request("note", "author_id"),
        "chapter_transfer": _by_request("chapter_transfer", "by_id"),
        "outbox_message": Rules(read=f"({_seen('outbox_message')} OR login = session_user::text OR {messages})",
                                insert=anyone,
                                update=messages, delete=messages),
        "audit_event": Rules(read=audit, insert=anyone),  # append-only: no update, no delete
        "volunteer": Rules(read="true", insert=managed, update=settings, delete=managed),
        "volunteer_expertise": Rules(read="true", insert=expertise, update=expertise, delete=expertise),
        "volunteer_role": Rules(read="true", insert=grants, update=grants, delete=grants),
    }


# Tables the group reads whole and never writes (the organisation, the logins, the schema version).
READ_ONLY = ("region", "district", "chapter", "score_login", "alembic_version")


def expected_policies() -> set[tuple[str, str]]:
    """(table, policy name) of every policy `install` creates."""
    found = set()
    for table, rules in table_rules().items():
        for command in ("read", "insert", "update", "delete"):
            if getattr(rules, command) is not None:
                found.add((table, f"score_{command}"))
    return found


def _policy_sql(table: str, rules: Rules) -> list[str]:
    statements = [f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY"]
    parts = {"read": ("SELECT", f"USING ({rules.read})"),
             "insert": ("INSERT", f"WITH CHECK ({rules.insert})"),
             "update": ("UPDATE", f"USING ({rules.update}) WITH CHECK (true)"),
             "delete": ("DELETE", f"USING ({rules.delete})")}
    for name, (command, clause) in parts.items():
        statements.append(f"DROP POLICY IF EXISTS score_{name} ON {table}")
        if getattr(rules, name) is not None:
            statements.append(f"CREATE POLICY score_{name} ON {table} FOR {command} TO {GROUP} {clause}")
    privileges = [p for p, rule in (("INSERT", rules.insert), ("UPDATE", rules.update), ("DELETE", rules.delete))
                  if rule is not None]
    statements.append(f"REVOKE ALL ON {table} FROM {GROUP}")
    statements.append(f"GRANT {', '.join(['SELECT', *privileges])} ON {table} TO {GROUP}")
    return statements


_DEFINER = "STABLE SECURITY DEFINER SET search_path FROM CURRENT"
_ACTIVE = VolunteerStatus.ACTIVE
_N, _R, _D, _C = ScopeKind.NATIONAL, ScopeKind.REGION, ScopeKind.DISTRICT, ScopeKind.CHAPTER

FUNCTIONS = [
    # the volunteer the connected login belongs to, while they are active
    f"""CREATE OR REPLACE FUNCTION score_volunteer() RETURNS integer LANGUAGE sql {_DEFINER} AS $$
        SELECT l.volunteer_id FROM score_login l JOIN volunteer v ON v.id = l.volunteer_id
         WHERE l.login = session_user::text AND v.status = '{_ACTIVE}' $$""",
    # the chapters their grants of one of `roles` cover (`access.covers`)
    f"""CREATE OR REPLACE FUNCTION score_chapters(roles text[]) RETURNS text[] LANGUAGE sql {_DEFINER} AS $$
        SELECT coalesce(array_agg(c.code), '{{}}'::text[])
          FROM chapter c JOIN district d ON d.code = c.district_code
         WHERE EXISTS (SELECT 1 FROM volunteer_role g
                        WHERE g.volunteer_id = score_volunteer() AND g.role = ANY (roles)
                          AND (g.scope_kind = '{_N}'
                               OR (g.scope_kind = '{_R}' AND g.scope_code = d.region_code)
                               OR (g.scope_kind = '{_D}' AND g.scope_code = c.district_code)
                               OR (g.scope_kind = '{_C}' AND g.scope_code = c.code))) $$""",
    # whether their grants of one of `roles` cover a whole place (a chapter, district, region, the nation)
    f"""CREATE OR REPLACE FUNCTION score_holds(roles text[], kind text, code text) RETURNS boolean
        LANGUAGE sql {_DEFINER} AS $$
        WITH place AS (
          SELECT CASE WHEN kind = '{_C}' THEN code ELSE '' END AS chapter,
                 CASE WHEN kind = '{_C}' THEN (SELECT district_code FROM chapter WHERE chapter.code = $3)
                      WHEN kind = '{_D}' THEN code ELSE '' END AS district,
                 CASE WHEN kind = '{_C}' THEN (SELECT d.region_code FROM chapter c JOIN district d
                                                 ON d.code = c.district_code WHERE c.code = $3)
                      WHEN kind = '{_D}' THEN (SELECT region_code FROM district WHERE district.code = $3)
                      WHEN kind = '{_R}' THEN code ELSE '' END AS region)
        SELECT EXISTS (SELECT 1 FROM volunteer_role g, place p
                        WHERE g.volunteer_id = score_volunteer() AND g.role = ANY (roles)
                          AND (g.scope_kind = '{_N}'
                               OR (g.scope_kind = '{_R}' AND p.region <> '' AND g.scope_code = p.region)
                               OR (g.scope_kind = '{_D}' AND p.district <> '' AND g.scope_code = p.district)
                               OR (g.scope_kind = '{_C}' AND p.chapter <> '' AND g.scope_code = p.chapter))) $$""",
    # the chapters that are not live in the district of a chapter they are CIC of: their requests
    # come in through the National Intake Queue (`access.reads_national_queue`)
    f"""CREATE OR REPLACE FUNCTION score_national_queue_chapters() RETURNS text[] LANGUAGE sql {_DEFINER} AS $$
        SELECT coalesce(array_agg(c.code), '{{}}'::text[]) FROM chapter c
         WHERE NOT c.live AND c.district_code IN (
               SELECT own.district_code FROM volunteer_role g JOIN chapter own ON own.code = g.scope_code
                WHERE g.volunteer_id = score_volunteer() AND g.role = ANY ({_array(NATIONAL_QUEUE_READERS)})
                  AND g.scope_kind = '{_C}') $$""",
    # the requests they own or are on the case team of (their latest answer to the referral counts)
    f"""CREATE OR REPLACE FUNCTION score_my_requests() RETURNS integer[] LANGUAGE sql {_DEFINER} AS $$
        SELECT coalesce(array_agg(id), '{{}}'::integer[]) FROM (
          SELECT id FROM mentoring_request WHERE owner_id = score_volunteer()
          UNION
          SELECT t.request_id FROM case_team_member t
           WHERE t.volunteer_id = score_volunteer() AND t.state = ANY ({_array(TEAM_STATES)})
             AND t.id = (SELECT max(m.id) FROM case_team_member m
                          WHERE m.request_id = t.request_id AND m.volunteer_id = t.volunteer_id)) mine $$""",
    # a client with no request yet (just taken in); its cost tells the planner a call is dear, so that it reaches clients through the request's
    # client id and asks this of those few rows, not of every client in the store
    f"""CREATE OR REPLACE FUNCTION score_client_unused(client integer) RETURNS boolean LANGUAGE sql {_DEFINER}
        COST 10000 AS $$
        SELECT NOT EXISTS (SELECT 1 FROM mentoring_request WHERE client_id = $1) $$""",
    # the client who already has any of these e-mails, wherever their requests are, so that intake
    # links a returning client instead of refusing the e-mail (store/client_lookup.py)
    f"""CREATE OR REPLACE FUNCTION score_clients_by_email(emails text[])
        RETURNS TABLE (email text, client_id integer) LANGUAGE sql {_DEFINER} AS $$
        SELECT e.email::text, e.client_id FROM client_email e WHERE e.email = ANY (emails) $$""",
    # a coordinator moving a request to another chapter's queue: row-level security would refuse
    # the moved row when the new chapter is beyond their sight, so the move is made here, for
    # those who coordinate the chapter the request leaves (store/moves.py); NULL: not theirs
    f"""CREATE OR REPLACE FUNCTION score_move_request(request integer, chapter text, queue text)
        RETURNS boolean LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path FROM CURRENT AS $$
        UPDATE mentoring_request SET chapter_code = $2, queue = $3
         WHERE id = $1 AND chapter_code = ANY (score_chapters({_array(TASKS["request.coordinate"].roles)}))
        RETURNING true $$""",
    # a volunteer's login follows their status: only active volunteers may connect
    f"""CREATE OR REPLACE FUNCTION score_login_follow(volunteer integer) RETURNS void LANGUAGE plpgsql
        SECURITY DEFINER SET search_path FROM CURRENT AS $$
        DECLARE r record;
        BEGIN
          FOR r IN SELECT l.login, v.status FROM score_login l JOIN volunteer v ON v.id = l.volunteer_id
                    WHERE l.volunteer_id = $1 LOOP
            EXECUTE format('ALTER ROLE %I %s', r.login, CASE WHEN r.status = '{_ACTIVE}' THEN 'LOGIN' ELSE 'NOLOGIN' END);
          END LOOP;
        END $$""",
    # the audit trail records the login that wrote each event, and a login acting for another
    """CREATE OR REPLACE FUNCTION score_audit_login() RETURNS trigger LANGUAGE plpgsql
        SECURITY DEFINER SET search_path FROM CURRENT AS $$
        DECLARE who text;
        BEGIN
          NEW.login := session_user;
          SELECT v.email INTO who FROM score_login l JOIN volunteer v ON v.id = l.volunteer_id
           WHERE l.login = session_user::text;
          IF who IS NOT NULL AND NEW.actor IS DISTINCT FROM who THEN
            NEW.actor := who || ' as ' || NEW.actor;
          END IF;
          RETURN NEW;
        END $$""",
    # a queued message records the login whose command queued it (who may then read it back)
    """CREATE OR REPLACE FUNCTION score_stamp_login() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN NEW.login := session_user; RETURN NEW; END $$""",
    "DROP TRIGGER IF EXISTS score_stamp_login ON outbox_message",
    "CREATE TRIGGER score_stamp_login BEFORE INSERT ON outbox_message FOR EACH ROW EXECUTE FUNCTION score_stamp_login()",
    "DROP TRIGGER IF EXISTS score_audit_login ON audit_event",
    "CREATE TRIGGER score_audit_login BEFORE INSERT ON audit_event FOR EACH ROW EXECUTE FUNCTION score_audit_login()",
]
FUNCTION_NAMES = ("score_volunteer", "score_chapters", "score_holds", "score_national_queue_chapters",
                  "score_my_requests", "score_client_unused", "score_clients_by_email", "score_move_request",
                  "score_login_follow", "score_audit_login", "score_stamp_login")


def statements() -> list[str]:
    """Everything `install` runs after the group role exists, in order."""
    out = list(FUNCTIONS)
    for name in FUNCTION_NAMES:
        out.append(f"REVOKE ALL ON FUNCTION {name} FROM PUBLIC")
        if name not in ("score_audit_login", "score_stamp_login"):  # triggers': nobody calls them
            out.append(f"GRANT EXECUTE ON FUNCTION {name} TO {GROUP}")
    for table, rules in table_rules().items():
        out.extend(_policy_sql(table, rules))
    for table in READ_ONLY:
        out.append(f"REVOKE ALL ON {table} FROM {GROUP}")
        out.append(f"GRANT SELECT ON {table} TO {GROUP}")
    out.append(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {{schema}} TO {GROUP}")
    return out


def install(conn) -> None:
    """Create or bring up to date the group role's grants, functions and policies (PostgreSQL;
    idempotent, so every `db init` and `db upgrade` leaves them matching this version's rules)."""
    if conn.dialect.name != "postgresql":
        return
    exists = conn.exec_driver_sql("SELECT 1 FROM pg_roles WHERE rolname = %(n)s", {"n": GROUP}).first()
    if exists is None:
        may_create = conn.exec_driver_sql(
            "SELECT rolsuper OR rolcreaterole FROM pg_roles WHERE rolname = current_user").scalar()
        if not may_create:
            raise Invalid(f"the store's owner may not create roles: ask a database superuser to run"
                          f" `CREATE ROLE {GROUP} NOLOGIN` (or give the owner CREATEROLE), then run this again")
        conn.exec_driver_sql(f"CREATE ROLE {GROUP} NOLOGIN")
    schema = conn.exec_driver_sql("SELECT current_schema()").scalar()
    for statement in statements():
        # the driver reads % as a parameter's mark; format()'s %I and %s are the database's
        conn.exec_driver_sql(statement.replace("{schema}", f'"{schema}"').replace("%", "%%"))
    from score_cli.store import tallies

    for view in tallies.NAMES:  # counts of a mentor's work, read whole (from schema 0011 on)
        if conn.exec_driver_sql("SELECT to_regclass(%(v)s)", {"v": view}).scalar() is not None:
            conn.exec_driver_sql(f"REVOKE ALL ON {view} FROM {GROUP}")
            conn.exec_driver_sql(f"GRANT SELECT ON {view} TO {GROUP}")


def missing(conn) -> list[str]:
    """What `install` would put in place and is not there (for `db check`); [] on SQLite."""
    if conn.dialect.name != "postgresql":
        return []
    problems = []
    if conn.exec_driver_sql("SELECT 1 FROM pg_roles WHERE rolname = %(n)s", {"n": GROUP}).first() is None:
        problems.append(f"group role {GROUP}")
    tables = table_rules()
    unprotected = conn.exec_driver_sql(
        "SELECT relname FROM pg_class WHERE relnamespace = current_schema()::text::regnamespace"
        " AND relkind = 'r' AND NOT relrowsecurity AND relname = ANY(%(t)s)", {"t": list(tables)}).scalars().all()
    problems += [f"row-level security on {t}" for t in sorted(unprotected)]
    present = set(conn.exec_driver_sql(
        "SELECT tablename, policyname FROM pg_policies WHERE schemaname = current_schema()").all())
    problems += [f"policy {name} on {table}" for table, name in sorted(expected_policies() - present)]
    functions = set(conn.exec_driver_sql(
        "SELECT proname FROM pg_proc WHERE pronamespace = current_schema()::text::regnamespace").scalars())
    problems += [f"function {name}" for name in FUNCTION_NAMES if name not in functions]
    return problems


_CONNECTED = ("SELECT l.login, l.volunteer_id, v.email, v.status FROM score_login l"
              " JOIN volunteer v ON v.id = l.volunteer_id WHERE l.login = session_user::text")


# a person's login (a plain member of score's users: not the store's owner, whom PostgreSQL 16
# makes the group's administrator when it creates it) that no volunteer of this store has
_STRAY = ("SELECT session_user::text WHERE EXISTS (SELECT 1 FROM pg_auth_members m"
          " JOIN pg_roles g ON g.oid = m.roleid JOIN pg_roles u ON u.oid = m.member"
          f" WHERE g.rolname = '{GROUP}' AND u.rolname = session_user AND NOT m.admin_option)"
          " AND session_user <> (SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = current_database())"
          " AND NOT EXISTS (SELECT 1 FROM score_login WHERE login = session_user::text)")


def _dialect(session):
    return session.dialect if hasattr(session, "dialect") else session.get_bind().dialect


def connected_login(session):
    """The person's login the store is connected as (login, volunteer_id, email, status), or None:
    on SQLite, and when connected as the store's owner or any other role."""
    if _dialect(session).name != "postgresql":
        return None
    from sqlalchemy import text

    return session.execute(text(_CONNECTED)).first()


def stray_login(session) -> str | None:
    """The login connected, when it is a person's login that no volunteer of this store has: one
    made for another store on the same server (logins belong to the whole server). The policies
    let it read nothing here, so it must not seem to work with `--as`."""
    if _dialect(session).name != "postgresql":
        return None
    from sqlalchemy import text

    return session.execute(text(_STRAY)).scalar()
