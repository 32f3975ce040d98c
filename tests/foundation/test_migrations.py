"""The Alembic migrations build the same schema as the models, on SQLite and PostgreSQL."""

import uuid

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from sqlmodel import SQLModel

from quota_app.db import MIGRATIONS_DIR, make_engine
from quota_app.reconcile.intervals import places_out_of_step
from tests.conftest import PG_ADMIN_URL


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_engine(request, tmp_path):
    if request.param == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_path / 'empty.db'}")
        yield engine
        engine.dispose()
        return
    request.getfixturevalue("pg_url")  # skips or fails (CI) when PostgreSQL is missing
    name = f"quota_migr_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    engine = make_engine(
        sa.engine.make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    )
    yield engine
    engine.dispose()
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE "{name}" WITH (FORCE)'))
    admin.dispose()


def _upgrade(engine, revision="head"):
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["engine"] = engine
    command.upgrade(config, revision)
    return config


def test_upgrade_from_empty_matches_the_models(empty_engine):
    _upgrade(empty_engine)
    with empty_engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        differences = compare_metadata(context, SQLModel.metadata)
    assert differences == [], "models and migrations differ; add a migration"
    tables = set(sa.inspect(empty_engine).get_table_names()) - {"alembic_version"}
    assert tables == set(SQLModel.metadata.tables)


def _insert_place_with_events(conn: sa.Connection) -> None:
    conn.execute(
        sa.text(
            "INSERT INTO department (code, name, mayor_title, mayor_name, mayor_email, hr_emails, active, sort) VALUES ('SOF', 'S', '', '', '', '', true, 0)"
        )
    )
    conn.execute(
        sa.text(
            "INSERT INTO placement_type (code, name_da, name_en, measure, target_unit, active, sort) VALUES ('x', 'x', 'x', 'stock', 'places', true, 0)"
        )
    )
    conn.execute(
        sa.text(
            "INSERT INTO place (department_id, type_id, reference, title, fte, version, created_at) VALUES (1, 1, 'A', '', 1.0, 1, CURRENT_TIMESTAMP)"
        )
    )
    for status, day, recorded in (
        ("open", "2025-01-01", "2025-01-02"),
        ("filled", "2025-02-01", "2025-02-03"),
    ):
        conn.execute(
            sa.text(
                "INSERT INTO place_event (place_id, status, effective_date, recorded_at, note, source) "
                f"VALUES (1, '{status}', '{day}', '{recorded} 08:00:00', '', 'web')"
            )
        )


def test_migrated_database_refuses_to_delete_events(empty_engine):
    _upgrade(empty_engine)
    with empty_engine.connect() as conn:
        _insert_place_with_events(conn)
        with pytest.raises(sa.exc.DatabaseError, match="cannot be deleted"):
            conn.execute(sa.text("DELETE FROM place_event"))


def test_the_intervals_migration_derives_them_from_the_events_already_recorded(empty_engine):
    _upgrade(empty_engine, "0002")
    with empty_engine.begin() as conn:
        _insert_place_with_events(conn)
    _upgrade(empty_engine)
    with empty_engine.connect() as conn:
        assert places_out_of_step(conn) == []
        statuses = conn.execute(sa.text("SELECT status FROM place_interval ORDER BY valid_from")).scalars()
        assert list(statuses) == ["open", "filled"]
        assert conn.execute(sa.text("SELECT count(*) FROM place_interval_superseded")).scalar_one() == 1


def test_downgrade_to_empty_and_up_again(empty_engine):
    config = _upgrade(empty_engine)
    command.downgrade(config, "base")
    assert set(sa.inspect(empty_engine).get_table_names()) <= {"alembic_version"}
    _upgrade(empty_engine)
    assert "place_event" in sa.inspect(empty_engine).get_table_names()


def test_the_dispatch_columns_migration_gives_each_meaning_of_period_its_column_and_back(empty_engine):
    """0006: a report keeps its period; an alert's ISO date becomes as_of; a failure notice's
    '<period or date>:<id>' becomes failed_dispatch_id. The downgrade writes the old texts again."""
    config = _upgrade(empty_engine, "0005")
    old = [
        (1, "report", "2025-H1", "SOF", "borgmester@kk.test"),
        (2, "alert", "2025-09-30", "KK", "rekruttering@kk.test"),
        (3, "failure_notice", "2025-H1:1", "SOF", "bif@kk.test"),
        (4, "failure_notice", "2025-09-30:2", "KK", "bif@kk.test"),
        (5, "reminder", "2025-H2", "SOF", "hr@kk.test"),
    ]
    with empty_engine.begin() as conn:
        for row_id, kind, period, scope, recipient in old:
            conn.execute(
                sa.text(
                    "INSERT INTO dispatch (id, period, scope, recipient, kind, state, attempts, created_at) "
                    "VALUES (:id, :period, :scope, :recipient, :kind, 'failed', 1, '2025-10-01 08:00:00')"
                ),
                {"id": row_id, "period": period, "scope": scope, "recipient": recipient, "kind": kind},
            )
    _upgrade(empty_engine, "0006")
    with empty_engine.connect() as conn:
        rows = conn.execute(
            sa.text("SELECT id, period, as_of, failed_dispatch_id FROM dispatch ORDER BY id")
        ).all()
    assert [(r[0], r[1], str(r[2]) if r[2] else None, r[3]) for r in rows] == [
        (1, "2025-H1", None, None),
        (2, None, "2025-09-30", None),
        (3, None, None, 1),
        (4, None, None, 2),
        (5, "2025-H2", None, None),
    ]
    with empty_engine.connect() as conn, pytest.raises(sa.exc.IntegrityError):
        conn.execute(  # an alert must say its day, and only that
            sa.text(
                "INSERT INTO dispatch (period, scope, recipient, kind, state, attempts, created_at) "
                "VALUES ('2025-10-02', 'KK', 'x@kk.test', 'alert', 'pending', 0, '2025-10-02 08:00:00')"
            )
        )
    command.downgrade(config, "0005")
    with empty_engine.connect() as conn:
        periods = conn.execute(sa.text("SELECT id, period FROM dispatch ORDER BY id")).all()
    assert [tuple(r) for r in periods] == [(row_id, period) for row_id, _kind, period, _s, _r in old]


def test_the_place_attributes_migration_dates_each_place_from_the_start_and_back(empty_engine):
    """0010: every place gets its unit and fte as ORIGIN attributes, the intervals carry them; the
    downgrade rebuilds the intervals as 0009 kept them (one per status, the place's fte)."""
    config = _upgrade(empty_engine, "0009")
    with empty_engine.begin() as conn:
        _insert_place_with_events(conn)
        conn.execute(sa.text("UPDATE place SET fte = 0.5"))
    _upgrade(empty_engine)
    with empty_engine.connect() as conn:
        assert places_out_of_step(conn) == []
        rows = conn.execute(sa.text("SELECT effective_date, fte, source FROM place_attribute")).all()
        assert [(str(r[0]), r[1], r[2]) for r in rows] == [("0001-01-01", 0.5, "migration")]
        ftes = conn.execute(sa.text("SELECT fte, unit_id FROM place_interval ORDER BY valid_from")).all()
        assert [tuple(r) for r in ftes] == [(0.5, None), (0.5, None)]
    command.downgrade(config, "0009")
    with empty_engine.connect() as conn:
        assert "place_attribute" not in sa.inspect(empty_engine).get_table_names()
        statuses = conn.execute(sa.text("SELECT status, fte FROM place_interval ORDER BY valid_from")).all()
        assert [tuple(r) for r in statuses] == [("open", 0.5), ("filled", 0.5)]
        assert conn.execute(sa.text("SELECT count(*) FROM place_interval_superseded")).scalar_one() == 1
