"""place attributes: a place's unit and fte as dated, known-at history; the intervals carry the unit and
are split where the unit or fte changes

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-14 08:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import quota_app.db

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD_COUNTED = ["valid_from", "known_from", "prev_status", "fte", "spell_start", "place_id"]
COUNTED = [*OLD_COUNTED, "unit_id"]
INDEXES = {
    "place_interval": ("ix_place_interval_cell", ["department_id", "type_id", "status", "valid_to"]),
    "place_interval_superseded": (
        "ix_place_interval_superseded_cell",
        ["department_id", "type_id", "status", "known_to", "valid_to"],
    ),
}


def upgrade() -> None:
    op.create_table(
        "place_attribute",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("place_id", sa.Integer(), nullable=False),
        sa.Column("effective_date", sa.Date(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=True),
        sa.Column("fte", sa.Float(), nullable=False),
        sa.Column("recorded_at", quota_app.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("note", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
        sa.Column("source", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("voided_at", quota_app.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("voided_by_id", sa.Integer(), nullable=True),
        sa.Column("void_reason", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=True),
        sa.CheckConstraint("fte > 0 AND fte <= 1", name=op.f("ck_place_attribute_fte_range")),
        sa.CheckConstraint(
            "(voided_at IS NULL) = (void_reason IS NULL)", name=op.f("ck_place_attribute_void_has_reason")
        ),
        sa.ForeignKeyConstraint(["place_id"], ["place.id"], name=op.f("fk_place_attribute_place_id_place")),
        sa.ForeignKeyConstraint(["unit_id"], ["unit.id"], name=op.f("fk_place_attribute_unit_id_unit")),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"], ["user.id"], name=op.f("fk_place_attribute_recorded_by_id_user")
        ),
        sa.ForeignKeyConstraint(
            ["voided_by_id"], ["user.id"], name=op.f("fk_place_attribute_voided_by_id_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_place_attribute")),
    )
    op.create_index(
        "ix_place_attribute_timeline",
        "place_attribute",
        ["place_id", "effective_date", "recorded_at", "id"],
        unique=False,
    )
    for table, (index, leading) in INDEXES.items():
        op.drop_index(index, table_name=table)
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("unit_id", sa.Integer(), nullable=True))
            # Filled by the rebuild below; NOT NULL once it has run.
            batch.add_column(sa.Column("status_since", quota_app.db.DayNumber(), nullable=True))
        op.create_index(index, table, [*leading, *COUNTED], unique=False)
    # Every place's attributes as they are: dated from the start and known always (ORIGIN), so the
    # figures counted before stay as they were.
    op.execute(
        "INSERT INTO place_attribute (place_id, effective_date, unit_id, fte, recorded_at, recorded_by_id, "
        "note, source) SELECT id, '0001-01-01', unit_id, fte, created_at, created_by_id, '', 'migration' "
        "FROM place"
    )
    # Derived data: rebuilt with the units (0003 left this to the latest code, which is this revision's).
    from quota_app.reconcile.intervals import refresh_all

    bind = op.get_bind()
    for table in INDEXES:
        bind.execute(sa.text(f"DELETE FROM {table}"))  # noqa: S608 (names of this module)
    refresh_all(bind)
    for table in INDEXES:
        with op.batch_alter_table(table) as batch:
            batch.alter_column("status_since", existing_type=quota_app.db.DayNumber(), nullable=False)


def downgrade() -> None:
    for table, (index, leading) in INDEXES.items():
        op.drop_index(index, table_name=table)
        with op.batch_alter_table(table) as batch:
            batch.drop_column("unit_id")
            batch.drop_column("status_since")
        op.create_index(index, table, [*leading, *OLD_COUNTED], unique=False)
    op.drop_index("ix_place_attribute_timeline", table_name="place_attribute")
    op.drop_table("place_attribute")
    _rebuild_status_only(op.get_bind())


def _rebuild_status_only(bind: sa.Connection) -> None:
    """Rebuild the intervals as 0003 to 0009 kept them: one per status interval, with the place's fte."""
    from quota_app.models import PlaceEvent
    from quota_app.reconcile.knowledge import EventFacts, knowledge

    event = PlaceEvent.__table__
    events: dict[int, list[EventFacts]] = {}
    for place_id, *facts in bind.execute(
        sa.select(event.c.place_id, *(event.c[name] for name in EventFacts._fields))
    ):
        events.setdefault(place_id, []).append(EventFacts(*facts))
    day, moment = quota_app.db.DayNumber(), quota_app.db.UTCDateTime(timezone=True)

    def shared() -> list[sa.ColumnClause]:
        return [
            sa.column("place_id", sa.Integer()),
            sa.column("valid_from", day),
            sa.column("valid_to", day),
            sa.column("status", sa.String()),
            sa.column("prev_status", sa.String()),
            sa.column("spell_start", day),
            sa.column("department_id", sa.Integer()),
            sa.column("type_id", sa.Integer()),
            sa.column("fte", sa.Float()),
            sa.column("known_from", moment),
        ]

    current = sa.table("place_interval", *shared())
    superseded = sa.table("place_interval_superseded", *shared(), sa.column("known_to", moment))
    rows: dict[sa.TableClause, list[dict]] = {current: [], superseded: []}
    for place_id, department_id, type_id, fte in bind.execute(
        sa.text("SELECT id, department_id, type_id, fte FROM place")
    ):
        found = knowledge(events.get(place_id, []), (), (None, fte))
        copied = {"place_id": place_id, "department_id": department_id, "type_id": type_id}
        for interval, since in found.current:
            values = {**interval._asdict(), **copied, "known_from": since}
            values.pop("unit_id"), values.pop("status_since")
            rows[current].append(values)
        for interval, since, until in found.superseded:
            values = {**interval._asdict(), **copied, "known_from": since, "known_to": until}
            values.pop("unit_id"), values.pop("status_since")
            rows[superseded].append(values)
    for table, values in rows.items():
        bind.execute(sa.delete(table))
        if values:
            bind.execute(sa.insert(table), values)
