"""status intervals: the places' histories as counting reads them, derived from the events

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-30 17:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import quota_app.db

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COUNTED = ["valid_from", "known_from", "prev_status", "fte", "spell_start", "place_id"]


def _columns() -> list[sa.Column]:
    return [
        sa.Column("place_id", sa.Integer(), nullable=False),
        sa.Column("valid_from", quota_app.db.DayNumber(), nullable=False),
        sa.Column("valid_to", quota_app.db.DayNumber(), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("prev_status", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=True),
        sa.Column("spell_start", quota_app.db.DayNumber(), nullable=True),
        sa.Column("department_id", sa.Integer(), nullable=False),
        sa.Column("type_id", sa.Integer(), nullable=False),
        sa.Column("fte", sa.Float(), nullable=False),
        sa.Column("known_from", quota_app.db.UTCDateTime(timezone=True), nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "place_interval",
        *_columns(),
        sa.ForeignKeyConstraint(["place_id"], ["place.id"], name=op.f("fk_place_interval_place_id_place")),
        sa.PrimaryKeyConstraint("place_id", "valid_from", name=op.f("pk_place_interval")),
    )
    op.create_index(
        "ix_place_interval_cell",
        "place_interval",
        ["department_id", "type_id", "status", "valid_to", *COUNTED],
        unique=False,
    )
    op.create_table(
        "place_interval_superseded",
        *_columns(),
        sa.Column("known_to", quota_app.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["place_id"], ["place.id"], name=op.f("fk_place_interval_superseded_place_id_place")
        ),
        sa.PrimaryKeyConstraint(
            "place_id", "valid_from", "known_from", name=op.f("pk_place_interval_superseded")
        ),
    )
    op.create_index(
        "ix_place_interval_superseded_cell",
        "place_interval_superseded",
        ["department_id", "type_id", "status", "known_to", "valid_to", *COUNTED],
        unique=False,
    )
    # Derived data: built from the events already recorded by 0010, which adds the columns that the
    # latest code's rebuild (refresh_all) writes; every later write keeps them in step.


def downgrade() -> None:
    op.drop_index("ix_place_interval_superseded_cell", table_name="place_interval_superseded")
    op.drop_table("place_interval_superseded")
    op.drop_index("ix_place_interval_cell", table_name="place_interval")
    op.drop_table("place_interval")
