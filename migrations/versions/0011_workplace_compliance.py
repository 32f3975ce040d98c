"""workplace compliance: units' P-numbers and headcount history, the proportionality rule per year,
exemptions, and the employee representative's statement per place (docs/compliance.md)

Revision ID: 0011
Revises: 0010 (written on 0009 alongside 0010; put after it when the two met)
Create Date: 2026-12-14 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import quota_app.db

revision: str = "0011"
down_revision: str | None = "0010"  # after the place attributes (both were written on 0009)
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "compliance_exemption",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("reference", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_to", sa.Date(), nullable=False),
        sa.Column("reason", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
        sa.Column("recorded_at", quota_app.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.CheckConstraint("valid_to >= valid_from", name=op.f("ck_compliance_exemption_period_ordered")),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"], ["user.id"], name=op.f("fk_compliance_exemption_recorded_by_id_user")
        ),
        sa.ForeignKeyConstraint(["unit_id"], ["unit.id"], name=op.f("fk_compliance_exemption_unit_id_unit")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_compliance_exemption")),
    )
    with op.batch_alter_table("compliance_exemption", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_compliance_exemption_unit_id"), ["unit_id"], unique=False)

    op.create_table(
        "compliance_rule",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("covered_types", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("per_place_low", sa.Integer(), nullable=False),
        sa.Column("low_limit", sa.Integer(), nullable=False),
        sa.Column("per_place_high", sa.Integer(), nullable=False),
        sa.Column("minimum", sa.Integer(), nullable=False),
        sa.Column("updated_at", quota_app.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "low_limit >= 0 AND minimum >= 0", name=op.f("ck_compliance_rule_limits_non_negative")
        ),
        sa.CheckConstraint(
            "per_place_low > 0 AND per_place_high > 0", name=op.f("ck_compliance_rule_steps_positive")
        ),
        sa.CheckConstraint("year BETWEEN 2000 AND 2100", name=op.f("ck_compliance_rule_year_range")),
        sa.ForeignKeyConstraint(
            ["updated_by_id"], ["user.id"], name=op.f("fk_compliance_rule_updated_by_id_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_compliance_rule")),
        sa.UniqueConstraint("year", name=op.f("uq_compliance_rule_year")),
    )
    op.create_table(
        "unit_headcount",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("effective_date", sa.Date(), nullable=False),
        sa.Column("ordinary_employees", sa.Integer(), nullable=False),
        sa.Column("source", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("recorded_at", quota_app.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.CheckConstraint("ordinary_employees >= 0", name=op.f("ck_unit_headcount_employees_non_negative")),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"], ["user.id"], name=op.f("fk_unit_headcount_recorded_by_id_user")
        ),
        sa.ForeignKeyConstraint(["unit_id"], ["unit.id"], name=op.f("fk_unit_headcount_unit_id_unit")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_unit_headcount")),
    )
    with op.batch_alter_table("unit_headcount", schema=None) as batch_op:
        batch_op.create_index(
            "ix_unit_headcount_timeline", ["unit_id", "effective_date", "recorded_at", "id"], unique=False
        )

    op.create_table(
        "place_statement",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("place_id", sa.Integer(), nullable=False),
        sa.Column("statement_date", sa.Date(), nullable=True),
        sa.Column("representative_role", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("net_addition", sa.Boolean(), nullable=False),
        sa.Column("no_vacated_post", sa.Boolean(), nullable=False),
        sa.Column("pdf_name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column("pdf_size", sa.Integer(), nullable=True),
        sa.Column("pdf_data", sa.LargeBinary(), nullable=True),
        sa.Column("recorded_at", quota_app.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["place_id"], ["place.id"], name=op.f("fk_place_statement_place_id_place")),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"], ["user.id"], name=op.f("fk_place_statement_recorded_by_id_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_place_statement")),
        sa.UniqueConstraint("place_id", name=op.f("uq_place_statement_place_id")),
    )
    with op.batch_alter_table("unit", schema=None) as batch_op:
        batch_op.add_column(sa.Column("p_number", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=True))
        batch_op.create_unique_constraint(batch_op.f("uq_unit_p_number"), ["p_number"])
        batch_op.create_check_constraint("p_number_length", "p_number IS NULL OR length(p_number) = 10")


def downgrade() -> None:
    with op.batch_alter_table("unit", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_unit_p_number_length"), type_="check")
        batch_op.drop_constraint(batch_op.f("uq_unit_p_number"), type_="unique")
        batch_op.drop_column("p_number")

    op.drop_table("place_statement")
    with op.batch_alter_table("unit_headcount", schema=None) as batch_op:
        batch_op.drop_index("ix_unit_headcount_timeline")

    op.drop_table("unit_headcount")
    op.drop_table("compliance_rule")
    with op.batch_alter_table("compliance_exemption", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_compliance_exemption_unit_id"))

    op.drop_table("compliance_exemption")
