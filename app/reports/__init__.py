"""Printed documents: plain data in (``app.models.documents``), PDF bytes out.

Public API: ``pack.render_meeting_pack``, ``plan.render_plan``, ``minutes.render_minutes``,
``statistics.render_statistics`` (their sample inputs and timings are in ``tools/``, not shipped).
Invariants: imports only ``app.models`` and
``app.config``; never opens the store or writes a file; restricted content is removed by the
caller before layout. See docs/reports.md.
"""
