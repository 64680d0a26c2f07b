"""The pure core: no I/O, stdlib + Decimal only. Storage, CLI and web are adapters around it."""
