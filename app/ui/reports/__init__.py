"""The Reports wing: the statistics screen (``screen``), its view of key figures, cards and
tables (``stats_view``), the charts (``charts``) and the breakdown table model (``model``)."""
