"""The exchange screen."""
