"""The dashboard screen."""
