"""The meetings screen."""
