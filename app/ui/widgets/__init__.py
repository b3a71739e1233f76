"""widgets of the desktop client."""
