"""dispatch columns: what a mail is about gets one column per meaning

`dispatch.period` held a period label (reports, reminders), an ISO date (the daily alert) or
`<period or date>:<dispatch id>` (a failure notice). Now `period` holds only the label, `as_of` the alert's
day and `failed_dispatch_id` the row a failure notice is about; a check says which one each kind uses.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07 10:00:00
"""

from collections.abc import Sequence
from datetime import date

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ABOUT_ONE_THING = (
    "(kind IN ('report', 'consolidated', 'reminder') AND period IS NOT NULL AND as_of IS NULL"
    " AND failed_dispatch_id IS NULL)"
    " OR (kind = 'alert' AND as_of IS NOT NULL AND period IS NULL AND failed_dispatch_id IS NULL)"
    " OR (kind = 'failure_notice' AND failed_dispatch_id IS NOT NULL AND period IS NULL"
    " AND as_of IS NULL)"
)

dispatch = sa.table(
    "dispatch",
    sa.column("id", sa.Integer()),
    sa.column("kind", sa.String()),
    sa.column("period", sa.String()),
    sa.column("as_of", sa.Date()),
    sa.column("failed_dispatch_id", sa.Integer()),
)


def upgrade() -> None:
    with op.batch_alter_table("dispatch") as batch:
        batch.add_column(sa.Column("as_of", sa.Date(), nullable=True))
        batch.add_column(sa.Column("failed_dispatch_id", sa.Integer(), nullable=True))
        batch.alter_column("period", existing_type=sa.String(length=20), nullable=True)
    connection = op.get_bind()
    rows = connection.execute(
        sa.select(dispatch.c.id, dispatch.c.kind, dispatch.c.period).where(
            dispatch.c.kind.in_(("alert", "failure_notice"))
        )
    ).all()
    for row_id, kind, period in rows:
        if kind == "alert":  # an ISO date
            values = {"as_of": date.fromisoformat(period), "period": None}
        else:  # "<period or date>:<id of the failed row>"
            values = {"failed_dispatch_id": int(period.rpartition(":")[2]), "period": None}
        connection.execute(sa.update(dispatch).where(dispatch.c.id == row_id).values(**values))
    with op.batch_alter_table("dispatch") as batch:
        batch.create_foreign_key(
            op.f("fk_dispatch_failed_dispatch_id_dispatch"), "dispatch", ["failed_dispatch_id"], ["id"]
        )
        batch.create_unique_constraint(
            op.f("uq_dispatch_as_of_scope_recipient_kind"), ["as_of", "scope", "recipient", "kind"]
        )
        batch.create_unique_constraint(
            op.f("uq_dispatch_failed_dispatch_id_recipient"), ["failed_dispatch_id", "recipient"]
        )
        batch.create_check_constraint(op.f("ck_dispatch_about_one_thing"), ABOUT_ONE_THING)


def downgrade() -> None:
    with op.batch_alter_table("dispatch") as batch:
        batch.drop_constraint(op.f("ck_dispatch_about_one_thing"), type_="check")
        batch.drop_constraint(op.f("uq_dispatch_failed_dispatch_id_recipient"), type_="unique")
        batch.drop_constraint(op.f("uq_dispatch_as_of_scope_recipient_kind"), type_="unique")
        batch.drop_constraint(op.f("fk_dispatch_failed_dispatch_id_dispatch"), type_="foreignkey")
    connection = op.get_bind()
    rows = connection.execute(
        sa.select(dispatch.c.id, dispatch.c.period, dispatch.c.as_of, dispatch.c.failed_dispatch_id)
    ).all()
    about = {
        row_id: period or as_of.isoformat() for row_id, period, as_of, _failed in rows if period or as_of
    }
    for row_id, _period, as_of, failed_id in rows:
        if as_of is not None:
            text = as_of.isoformat()
        elif failed_id is not None:
            text = f"{about[failed_id]}:{failed_id}"
        else:
            continue
        connection.execute(sa.update(dispatch).where(dispatch.c.id == row_id).values(period=text))
    with op.batch_alter_table("dispatch") as batch:
        batch.alter_column("period", existing_type=sa.String(length=20), nullable=False)
        batch.drop_column("failed_dispatch_id")
        batch.drop_column("as_of")
