"""Channel bookkeeping: processed webhooks, contacts (WhatsApp window), attachments, outbound log, menus.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None


def upgrade() -> None:
    op.create_table(
        "inbound_messages",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("channel", sa.String(32), nullable=False),
        sa.Column("provider_id", sa.String(128), nullable=False),
        sa.Column("conversation_id", sa.String(128), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("channel", "provider_id", name="uq_inbound_provider_id"),
    )
    op.create_table(
        "contacts",
        sa.Column("conversation_id", sa.String(128), primary_key=True),
        sa.Column("channel", sa.String(32), nullable=False),
        sa.Column("last_inbound_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "attachments",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("conversation_id", sa.String(128), nullable=False, index=True),
        sa.Column("channel", sa.String(32), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("provider_ref", sa.Text, nullable=False),
        sa.Column("mime_type", sa.String(128)),
        sa.Column("caption", sa.Text),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "outbound_messages",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("conversation_id", sa.String(128), nullable=False, index=True),
        sa.Column("channel", sa.String(32), nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("provider_id", sa.String(128), index=True),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("error", sa.Text),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "button_menus",
        sa.Column("conversation_id", sa.String(128), primary_key=True),
        sa.Column("options", sa.JSON, nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    for table in ("button_menus", "outbound_messages", "attachments", "contacts", "inbound_messages"):
        op.drop_table(table)
