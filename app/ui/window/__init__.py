"""The main window's parts, each with one job: the Edit menu on the focused field
(``edit_menu``), the Records and Help commands (``commands``), and the session's lifecycle,
lock and unlock and closing with unsaved drafts (``lifecycle``). ``app.ui.mainwindow`` puts them
together with the navigation between screens."""
