"""Exchange test fixtures (defined in ``tests.support.sync_support``)."""

from tests.support.sync_support import panel, panel_template  # noqa: F401
