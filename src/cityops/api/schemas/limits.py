"""Bounds shared by request parameters (ids fit a signed 64-bit column on every database)."""

MAX_ID = 2**62
