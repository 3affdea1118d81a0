"""Catalog and city profile tables (owned by the catalog area)."""
