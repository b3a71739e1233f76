"""The actions screen."""
