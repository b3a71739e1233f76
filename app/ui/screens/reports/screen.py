"""Reports: meeting packs, plans, minutes and statistics returns (their own issue).

Until the documents service exists this screen says what it will hold; nothing pretends to work.
"""

from __future__ import annotations

from app.ui.screens.base import PlaceholderScreen


class ReportsScreen(PlaceholderScreen):
    title = "Reports"
    body_text = (
        "Reports will produce the panel's documents, each with its marking top and bottom and a "
        "copy for one named recipient holding only what that recipient may see:\n\n"
        "• the meeting pack for a meeting (agenda, last minutes and action log, one paper per case, "
        "attendance sheet);\n"
        "• the risk-management plan for a case;\n"
        "• the minutes of a meeting, in full and as an executive summary;\n"
        "• statistics returns for a period, as a spreadsheet and as a PDF with charts, with small "
        "counts suppressed.\n\n"
        "The documents service is not connected to the desktop client in this build yet, so "
        "nothing here works. Print (Ctrl+P) will open the document for the screen you are on."
    )
