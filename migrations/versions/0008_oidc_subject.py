"""oidc subject: who a user is at the organisation's OpenID provider (issuer and subject)

Revision ID: 0008
Revises: 0005
Create Date: 2026-12-07 04:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("user") as batch:
        batch.add_column(
            sa.Column("oidc_issuer", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=True)
        )
        batch.add_column(
            sa.Column("oidc_subject", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=True)
        )
        batch.create_unique_constraint(
            op.f("uq_user_oidc_issuer_oidc_subject"), ["oidc_issuer", "oidc_subject"]
        )
        batch.create_check_constraint(
            op.f("ck_user_oidc_identity_whole"), "(oidc_issuer IS NULL) = (oidc_subject IS NULL)"
        )


def downgrade() -> None:
    with op.batch_alter_table("user") as batch:
        batch.drop_constraint(op.f("ck_user_oidc_identity_whole"), type_="check")
        batch.drop_constraint(op.f("uq_user_oidc_issuer_oidc_subject"), type_="unique")
        batch.drop_column("oidc_subject")
        batch.drop_column("oidc_issuer")
