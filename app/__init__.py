"""Roundtable: case management for local multi-agency risk panels."""

__version__ = "0.1.0"
