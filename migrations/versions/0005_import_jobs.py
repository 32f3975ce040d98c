"""import jobs: a confirmed browser import is saved in the background, one preview and one save job per upload

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02 01:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import quota_app.db

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "import_job",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("filename", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("department_id", sa.Integer(), nullable=False),
        sa.Column("state", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("rows_total", sa.Integer(), nullable=False),
        sa.Column("rows_done", sa.Integer(), nullable=False),
        sa.Column("claimed_by", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
        sa.Column("started_at", quota_app.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("finished_at", quota_app.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("result", sa.JSON(), nullable=True),
        sa.Column("error", sa.JSON(), nullable=True),
        sa.Column("created_at", quota_app.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "state IN ('queued', 'running', 'done', 'failed')", name=op.f("ck_import_job_state_known")
        ),
        sa.CheckConstraint("kind IN ('preview', 'save')", name=op.f("ck_import_job_kind_known")),
        sa.CheckConstraint("attempts >= 0", name=op.f("ck_import_job_attempts_non_negative")),
        sa.ForeignKeyConstraint(
            ["department_id"], ["department.id"], name=op.f("fk_import_job_department_id_department")
        ),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"], name=op.f("fk_import_job_user_id_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_import_job")),
        sa.UniqueConstraint("token", "kind", name=op.f("uq_import_job_token_kind")),
    )
    op.create_index("ix_import_job_state", "import_job", ["state"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_import_job_state", table_name="import_job")
    op.drop_table("import_job")
