"""itemmodels of the desktop client."""
