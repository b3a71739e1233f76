"""The panel screen."""
