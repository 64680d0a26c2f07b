"""Adapters around the core: database, message channels, clock."""
