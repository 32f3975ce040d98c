"""report links: the HTML twin of an archived report (its data kept with the PDF), links to it without
sign-in (only hashes kept), and each mail kept as it was sent

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-12 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import quota_app.db

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("report_archive") as batch:
        batch.add_column(sa.Column("report_data", sa.JSON(), nullable=True))
    with op.batch_alter_table("dispatch") as batch:
        batch.add_column(sa.Column("sent_message", sa.JSON(), nullable=True))
    op.create_table(
        "report_link",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("archive_id", sa.Integer(), nullable=False),
        sa.Column("dispatch_id", sa.Integer(), nullable=True),
        sa.Column("token_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("created_at", quota_app.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("revoked_at", quota_app.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("revoked_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["archive_id"], ["report_archive.id"], name=op.f("fk_report_link_archive_id_report_archive")
        ),
        sa.ForeignKeyConstraint(
            ["dispatch_id"], ["dispatch.id"], name=op.f("fk_report_link_dispatch_id_dispatch")
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["user.id"], name=op.f("fk_report_link_created_by_id_user")
        ),
        sa.ForeignKeyConstraint(
            ["revoked_by_id"], ["user.id"], name=op.f("fk_report_link_revoked_by_id_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_link")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_report_link_token_hash")),
    )
    op.create_index(op.f("ix_report_link_archive_id"), "report_link", ["archive_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_report_link_archive_id"), table_name="report_link")
    op.drop_table("report_link")
    with op.batch_alter_table("dispatch") as batch:
        batch.drop_column("sent_message")
    with op.batch_alter_table("report_archive") as batch:
        batch.drop_column("report_data")
