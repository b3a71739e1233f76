"""Reports: statistics returns (their own issue); the documents live where their subject is.

Until the statistics view (``app/ui/widgets/stats_view.py``) exists this screen says what it will
hold and where the documents already are; nothing here pretends to work.
"""

from __future__ import annotations

from app.ui.screens.base import PlaceholderScreen


class ReportsScreen(PlaceholderScreen):
    title = "Reports"
    body_text = (
        "Statistics returns are not connected to the desktop client in this build yet: choosing a "
        "period, seeing the figures (small counts suppressed) and saving the return as a spreadsheet "
        "will appear here when the statistics view is ready. Nothing on this screen works yet.\n\n"
        "The panel's documents are already available where their subject is, each with its marking "
        "top and bottom and holding only what its recipient may see:\n\n"
        "• Meetings → choose a meeting → Generate packs… (one pack per recipient), Minutes… and "
        "Executive summary… (Ctrl+P on Meetings prints the minutes);\n"
        "• Cases → open a case → Print plan… (Ctrl+P) for its risk-management plan."
    )
