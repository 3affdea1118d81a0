"""regions, unit grids, responsibility areas, roads, places

Revision ID: 0003_geography
Revises: 0002_catalog
Create Date: 2026-11-21

Geometries are WKB in ``geometry`` on every database. On PostgreSQL this migration also
enables PostGIS (``CREATE EXTENSION IF NOT EXISTS postgis``: the database role needs the right
to create it, or an administrator creates it beforehand) and adds to each table a stored
generated column ``geom`` (SRID 4326) computed from ``geometry`` (from lon/lat for places),
with a GIST index.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003_geography"
down_revision: str | None = "0002_catalog"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

# table → (PostGIS geometry type, expression the generated column is computed from)
_POSTGIS = {
    "regions": ("MultiPolygon", "ST_Multi(ST_GeomFromWKB(geometry, 4326))"),
    "grids": ("MultiPolygon", "ST_Multi(ST_GeomFromWKB(geometry, 4326))"),
    "responsibility_areas": ("MultiPolygon", "ST_Multi(ST_GeomFromWKB(geometry, 4326))"),
    "roads": ("LineString", "ST_GeomFromWKB(geometry, 4326)"),
    "places": ("Point", "ST_SetSRID(ST_MakePoint(lon, lat), 4326)"),
}


def _bbox() -> list[sa.Column]:
    return [
        sa.Column("min_lon", sa.Float(), nullable=False),
        sa.Column("min_lat", sa.Float(), nullable=False),
        sa.Column("max_lon", sa.Float(), nullable=False),
        sa.Column("max_lat", sa.Float(), nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "regions",
        sa.Column("code", sa.String(length=12), nullable=False),
        sa.Column("level", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("parent_code", sa.String(length=12), nullable=True),
        sa.Column("generated", sa.Boolean(), nullable=False),
        sa.Column("source", sa.String(length=64), nullable=False),
        sa.Column("geometry", sa.LargeBinary(), nullable=False),
        *_bbox(),
        sa.ForeignKeyConstraint(
            ["parent_code"], ["regions.code"], name=op.f("fk_regions_parent_code_regions")
        ),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_regions")),
    )
    op.create_index("ix_regions_parent_code", "regions", ["parent_code"])
    op.create_index("ix_regions_level", "regions", ["level"])

    op.create_table(
        "grids",
        sa.Column("code", sa.String(length=15), nullable=False),
        sa.Column("community_code", sa.String(length=12), nullable=False),
        sa.Column("street_code", sa.String(length=9), nullable=False),
        sa.Column("district_code", sa.String(length=6), nullable=False),
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("generated", sa.Boolean(), nullable=False),
        sa.Column("source", sa.String(length=64), nullable=False),
        sa.Column("geometry", sa.LargeBinary(), nullable=False),
        sa.Column("area_m2", sa.Float(), nullable=False),
        sa.Column("centroid_lon", sa.Float(), nullable=False),
        sa.Column("centroid_lat", sa.Float(), nullable=False),
        *_bbox(),
        sa.ForeignKeyConstraint(
            ["community_code"], ["regions.code"], name=op.f("fk_grids_community_code_regions")
        ),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_grids")),
    )
    op.create_index("ix_grids_community_code", "grids", ["community_code"])
    op.create_index("ix_grids_street_code", "grids", ["street_code"])
    op.create_index("ix_grids_district_code", "grids", ["district_code"])
    op.create_index("ix_grids_min_lon_max_lon", "grids", ["min_lon", "max_lon"])

    op.create_table(
        "responsibility_areas",
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("unit", sa.String(length=128), nullable=False),
        sa.Column("generated", sa.Boolean(), nullable=False),
        sa.Column("source", sa.String(length=64), nullable=False),
        sa.Column("geometry", sa.LargeBinary(), nullable=False),
        *_bbox(),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_responsibility_areas")),
    )
    op.create_index("ix_responsibility_areas_kind", "responsibility_areas", ["kind"])

    op.create_table(
        "roads",
        sa.Column("id", _BIG_ID, autoincrement=True, nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("district_code", sa.String(length=6), nullable=True),
        sa.Column("length_m", sa.Float(), nullable=False),
        sa.Column("generated", sa.Boolean(), nullable=False),
        sa.Column("source", sa.String(length=64), nullable=False),
        sa.Column("geometry", sa.LargeBinary(), nullable=False),
        *_bbox(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_roads")),
    )
    op.create_index("ix_roads_name", "roads", ["name"])
    op.create_index("ix_roads_district_code", "roads", ["district_code"])

    op.create_table(
        "places",
        sa.Column("id", _BIG_ID, autoincrement=True, nullable=False),
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("lon", sa.Float(), nullable=False),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.Column("address", sa.String(length=256), nullable=False),
        sa.Column("grid_code", sa.String(length=15), nullable=True),
        sa.Column("generated", sa.Boolean(), nullable=False),
        sa.Column("source", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_places")),
    )
    op.create_index("ix_places_name", "places", ["name"])
    op.create_index("ix_places_grid_code", "places", ["grid_code"])

    op.create_table(
        "geography_revisions",
        sa.Column("layer", sa.String(length=32), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("layer", name=op.f("pk_geography_revisions")),
    )

    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS postgis")
        for table, (geom_type, expression) in _POSTGIS.items():
            op.execute(
                f"ALTER TABLE {table} ADD COLUMN geom geometry({geom_type}, 4326) "
                f"GENERATED ALWAYS AS ({expression}) STORED"
            )
            op.execute(f"CREATE INDEX ix_{table}_geom ON {table} USING GIST (geom)")


def downgrade() -> None:
    # The PostGIS columns and their indexes go with their tables; the extension stays.
    op.drop_table("geography_revisions")
    op.drop_table("places")
    op.drop_table("roads")
    op.drop_table("responsibility_areas")
    op.drop_table("grids")
    op.drop_table("regions")
