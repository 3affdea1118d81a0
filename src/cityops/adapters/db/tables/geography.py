"""Regions, unit grids and responsibility areas (owned by the geography area)."""
