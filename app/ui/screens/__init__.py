"""screens of the desktop client."""
