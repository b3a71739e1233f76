"""The exchange between workstations, on the store's side: the sync tables, what is sent and
received (store), applying received operations (apply) and the conflicts they open (conflicts)."""
