"""sessions and login attempts: a per-user session version (server-side sign-out) and failed sign-ins

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02 01:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import quota_app.db

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("user") as batch:
        batch.add_column(sa.Column("session_version", sa.Integer(), server_default="1", nullable=False))
    op.create_table(
        "login_attempt",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account", sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False),
        sa.Column("address", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("at", quota_app.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login_attempt")),
    )
    op.create_index("ix_login_attempt_pair", "login_attempt", ["account", "address", "at"], unique=False)
    op.create_index("ix_login_attempt_address", "login_attempt", ["address", "at"], unique=False)
    op.create_index("ix_login_attempt_at", "login_attempt", ["at"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_login_attempt_at", table_name="login_attempt")
    op.drop_index("ix_login_attempt_address", table_name="login_attempt")
    op.drop_index("ix_login_attempt_pair", table_name="login_attempt")
    op.drop_table("login_attempt")
    with op.batch_alter_table("user") as batch:
        batch.drop_column("session_version")
