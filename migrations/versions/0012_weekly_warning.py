"""weekly warning: a dispatch kind of its own, about a day (the week's Monday) like the daily alert

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07 08:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _about_one_thing(day_kinds: str) -> str:
    return (
        "(kind IN ('report', 'consolidated', 'reminder') AND period IS NOT NULL AND as_of IS NULL"
        " AND failed_dispatch_id IS NULL)"
        f" OR (kind {day_kinds} AND as_of IS NOT NULL AND period IS NULL AND failed_dispatch_id IS NULL)"
        " OR (kind = 'failure_notice' AND failed_dispatch_id IS NOT NULL AND period IS NULL"
        " AND as_of IS NULL)"
    )


KINDS_BEFORE = "kind IN ('report', 'consolidated', 'reminder', 'alert', 'failure_notice')"
KINDS_AFTER = "kind IN ('report', 'consolidated', 'reminder', 'alert', 'warning', 'failure_notice')"
ABOUT_BEFORE = _about_one_thing("= 'alert'")
ABOUT_AFTER = _about_one_thing("IN ('alert', 'warning')")


def _replace_checks(kinds: str, about: str) -> None:
    with op.batch_alter_table("dispatch") as batch:
        batch.drop_constraint(op.f("ck_dispatch_about_one_thing"), type_="check")
        batch.drop_constraint(op.f("ck_dispatch_kind_known"), type_="check")
    with op.batch_alter_table("dispatch") as batch:
        batch.create_check_constraint(op.f("ck_dispatch_kind_known"), kinds)
        batch.create_check_constraint(op.f("ck_dispatch_about_one_thing"), about)


def upgrade() -> None:
    _replace_checks(KINDS_AFTER, ABOUT_AFTER)


def downgrade() -> None:
    # The warnings (and the failure notices about them) cannot be kept under the old checks.
    dispatch = sa.table(
        "dispatch",
        sa.column("id", sa.Integer()),
        sa.column("kind", sa.String()),
        sa.column("failed_dispatch_id", sa.Integer()),
    )
    warnings = sa.select(dispatch.c.id).where(dispatch.c.kind == "warning").scalar_subquery()
    op.execute(sa.delete(dispatch).where(dispatch.c.failed_dispatch_id.in_(warnings)))
    op.execute(sa.delete(dispatch).where(dispatch.c.kind == "warning"))
    _replace_checks(KINDS_BEFORE, ABOUT_BEFORE)
