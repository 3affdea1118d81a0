"""Pydantic models of the HTTP API (request bodies and responses)."""
