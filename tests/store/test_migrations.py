"""The schema: migrations create it, upgrade older stores, and match the tables in the code."""

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import text
from sqlmodel import SQLModel

from score_cli.services.organisation.hierarchy import read_chapters_file
from score_cli.store import migrate
from score_cli.store.db import SCHEMA_REVISION, Store
from tests.helpers import score


def test_the_code_expects_the_newest_migration():
    assert migrate.head_revision() == SCHEMA_REVISION


def test_migrations_build_exactly_the_tables_of_the_code(store):
    with store.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        assert compare_metadata(context, SQLModel.metadata) == []


def test_a_store_from_the_first_migration_upgrades_and_keeps_its_data(tmp_path):
    url = "sqlite:///" + str(tmp_path / "old.db")
    old = Store(url, create=True)
    migrate.upgrade(old, "0001")
    with old.transaction() as session:
        conn = session.connection()
        # the hierarchy as schema 0001 holds it (today's models have columns it lacks)
        [bos] = [r for r in read_chapters_file() if r["chapter_code"] == "BOS01"]
        conn.execute(text("INSERT INTO region (code, name) VALUES (:region_code, :region_name)"), bos)
        conn.execute(text("INSERT INTO district (code, name, region_code) VALUES (:district_code, :district_name,"
                          " :region_code)"), bos)
        conn.execute(text("INSERT INTO chapter (code, name, city, state, timezone, live, district_code) VALUES"
                          " (:chapter_code, :chapter_name, :city, :state, :timezone, :live, :district_code)"), bos)
        conn.execute(text("INSERT INTO volunteer (id, email, name, chapter_code, status, accept_direct_requests,"
                          " serve_outside_local_area, created_at, capacity_text) VALUES"
                          " (1, 'm@example.org', 'Mia', 'BOS01', 'active', 0, 0, '2026-01-05 10:00:00',"
                          " 'DR-only')"))
        conn.execute(text("INSERT INTO client (id, name, created_at) VALUES (1, 'Cleo', '2026-03-01 10:00:00')"))
        conn.execute(text("INSERT INTO mentoring_request (id, client_id, chapter_code, status, owner_id, question,"
                          " existing_business, client_was_known, submitted_at, status_changed_at, version)"
                          " VALUES (7, 1, 'BOS01', 'accepted', 1, 'How do I price?', 0, 0,"
                          " '2026-03-01 10:00:00', '2026-03-03 09:00:00', 3)"))
        conn.execute(text("INSERT INTO assignment (id, request_id, mentor_id, kind, assigned_at, accept_due_at,"
                          " timeout_at, outcome, accepted_at) VALUES (1, 7, 1, 'cic', '2026-03-02 15:00:00',"
                          " '2026-03-04 15:00:00', '2026-03-09 15:00:00', 'accepted', '2026-03-03 09:00:00')"))
    old.close()

    ran = score("db", "upgrade", db=str(tmp_path / "old.db"))
    assert ran.exit_code == 0, ran.stderr
    assert "from schema 0001 to 0009" in ran.stdout

    new = Store(url)
    new.check_schema()
    with new.reading() as session:
        row = session.execute(text("SELECT question, first_assigned_at, first_accepted_at, first_session_at"
                                   " FROM mentoring_request WHERE id = 7")).one()
    assert row[0] == "How do I price?"
    assert str(row[1]).startswith("2026-03-02 15:00:00")  # backfilled from the assignment
    assert str(row[2]).startswith("2026-03-03 09:00:00")
    assert row[3] is None
    with new.reading() as session:  # a capacity an earlier reader left unknown is read again
        assert session.execute(text("SELECT capacity_weekly FROM volunteer")).scalar_one() == 0  # DR-only
    new.close()
    again = score("db", "upgrade", db=str(tmp_path / "old.db"))
    assert "already at schema 0009" in again.stdout


def test_an_old_store_is_refused_until_upgraded(tmp_path):
    url = "sqlite:///" + str(tmp_path / "old.db")
    old = Store(url, create=True)
    migrate.upgrade(old, "0001")
    old.close()
    ran = score("chapter", "list", db=str(tmp_path / "old.db"))
    assert ran.exit_code == 1 and "score db upgrade" in ran.stderr
