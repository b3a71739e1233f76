"""Exchange test fixtures (defined in ``sync_support``, a uniquely named module)."""

from sync_support import panel, panel_template  # noqa: F401
