"""Item-data roles that widgets read from any model. Widgets are the ground floor of the desktop
(they import no item model), so a role a delegate here draws from is defined here and the item
models (``app/ui/itemmodels``) import it."""

from __future__ import annotations

from PySide6.QtCore import Qt

SortRole = Qt.ItemDataRole.UserRole + 1  # the value a column sorts by (``sorted_table``'s proxy)
KindRole = Qt.ItemDataRole.UserRole + 4  # a chip kind for the delegate: ok | warn | danger | muted | info
