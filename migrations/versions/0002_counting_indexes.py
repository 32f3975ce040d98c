"""counting index: a place's events in counting order, covering what counting reads

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 20:50:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TIMELINE = ["place_id", "effective_date", "recorded_at", "id", "status", "voided_at"]


# Plain index operations, not batch mode: on SQLite a batch would rebuild place_event and lose its
# no-delete trigger, and creating or dropping an index needs no rebuild on either engine.
def upgrade() -> None:
    op.create_index("ix_place_event_timeline", "place_event", TIMELINE, unique=False)
    # The new index starts with the old one's columns, so the old one only costs writes.
    op.drop_index("ix_place_event_place_effective", table_name="place_event")


def downgrade() -> None:
    op.create_index(
        "ix_place_event_place_effective",
        "place_event",
        ["place_id", "effective_date", "recorded_at"],
        unique=False,
    )
    op.drop_index("ix_place_event_timeline", table_name="place_event")
