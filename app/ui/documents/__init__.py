"""The documents wing: printing packs, plans and minutes (``pack_dialog``) and the subject access
report (``subject_access``), each written on the task manager's heavy pool."""
