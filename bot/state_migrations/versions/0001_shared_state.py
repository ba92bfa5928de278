"""The shared state: claimed deliveries, rate-limit hits, kept button state, sources added from chat.

Revision ID: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "claimed_deliveries",
        sa.Column("key", sa.String(255), primary_key=True),
        sa.Column("expires_at", sa.Float, nullable=False),
    )
    op.create_index("claimed_deliveries_expiry", "claimed_deliveries", ["expires_at"])
    op.create_table(
        "rate_hits",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True, autoincrement=True),
        sa.Column("bucket", sa.String(255), nullable=False),
        sa.Column("at", sa.Float, nullable=False),
        sa.Column("expires_at", sa.Float, nullable=False),
    )
    op.create_index("rate_hits_bucket_at", "rate_hits", ["bucket", "at"])
    op.create_index("rate_hits_expiry", "rate_hits", ["expires_at"])
    op.create_table(
        "kept_state",
        sa.Column("kind", sa.String(64), primary_key=True),
        sa.Column("key", sa.String(255), primary_key=True),
        sa.Column("value", sa.Text, nullable=False),
        sa.Column("expires_at", sa.Float, nullable=False),
    )
    op.create_index("kept_state_expiry", "kept_state", ["expires_at"])
    op.create_table(
        "chat_sources",
        sa.Column("url", sa.String(2048), primary_key=True),
        sa.Column("added_by", sa.String(255), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    for table in ("chat_sources", "kept_state", "rate_hits", "claimed_deliveries"):
        op.drop_table(table)
