"""code descriptors: imported CPT/HCPCS files and one version row per code set

Revision ID: 0004_code_descriptors
Revises: 0003_bench_pings
Create Date: 2026-11-27 03:02:53.229750

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0004_code_descriptors"
down_revision = "0003_bench_pings"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('code_descriptors',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('system', sa.String(length=8), nullable=False),
    sa.Column('code', sa.String(length=8), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('imported_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("system IN ('cpt', 'hcpcs')", name=op.f('ck_code_descriptors_system_known')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_code_descriptors')),
    sa.UniqueConstraint('system', 'code', name='uq_code_descriptors_system_code')
    )
    op.create_table('code_sets_meta',
    sa.Column('system', sa.String(length=8), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('row_count', sa.Integer(), nullable=False),
    sa.Column('source', sa.String(length=255), nullable=False),
    sa.Column('imported_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("system IN ('cpt', 'hcpcs')", name=op.f('ck_code_sets_meta_system_known')),
    sa.PrimaryKeyConstraint('system', name=op.f('pk_code_sets_meta'))
    )


def downgrade():
    op.drop_table('code_sets_meta')
    op.drop_table('code_descriptors')
