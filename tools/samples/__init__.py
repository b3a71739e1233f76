"""Fictional sample inputs for the documents (``data``: one invented panel; ``documents``: whole
inputs for each renderer), used by ``make screenshots``, ``make bench`` and the report tests.
Not part of the shipped program."""
