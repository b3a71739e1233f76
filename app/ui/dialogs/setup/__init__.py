"""The first-run dialog's parts (``app.ui.dialogs.first_run``): the passphrase fields with their
strength hint, the page that reads an invitation to join a panel, and the recovery-key page."""
