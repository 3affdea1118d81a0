"""Realistic operations of a city, driven through the same service layer as real users."""
