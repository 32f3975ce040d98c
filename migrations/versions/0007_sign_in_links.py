"""sign-in links: the mailed single-use links with which users set their passwords (only hashes kept)

Revision ID: 0007
Revises: 0005
Create Date: 2026-12-10 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import quota_app.db

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "sign_in_link",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("created_at", quota_app.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("expires_at", quota_app.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("used_at", quota_app.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", quota_app.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["user.id"], name=op.f("fk_sign_in_link_created_by_id_user")
        ),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"], name=op.f("fk_sign_in_link_user_id_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sign_in_link")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_sign_in_link_token_hash")),
    )
    op.create_index(op.f("ix_sign_in_link_user_id"), "sign_in_link", ["user_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_sign_in_link_user_id"), table_name="sign_in_link")
    op.drop_table("sign_in_link")
