"""Factories uvicorn calls (``--factory``)."""

from __future__ import annotations

from fastapi import FastAPI

from cityops.api.app import create_app


def app_with_background() -> FastAPI:
    """The served app: with the overdue sweep and the outbox relay running in the background."""
    return create_app(background=True)
