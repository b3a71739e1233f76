"""Helpers shared by the test suite, imported everywhere as ``tests.support.<module>``."""
